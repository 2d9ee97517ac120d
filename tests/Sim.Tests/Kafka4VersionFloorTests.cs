using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;

namespace KafkaNative.Sim.Tests;

/// <summary>
/// Kafka 4.0 removed the oldest versions of the client APIs (KIP-896); the Sim serves what a 4.x broker
/// serves, so a client that only works against the Sim because of an old version is caught here.
/// </summary>
public sealed class Kafka4VersionFloorTests
{
    public static TheoryData<ApiKey, short> Floors() => new()
    {
        { ApiKey.Produce, 3 },
        { ApiKey.Fetch, 4 },
        { ApiKey.ListOffsets, 1 },
        { ApiKey.OffsetCommit, 2 },
        { ApiKey.OffsetFetch, 1 },
        { ApiKey.JoinGroup, 2 },
        { ApiKey.CreateTopics, 2 },
        { ApiKey.DeleteTopics, 1 },
        { ApiKey.DescribeConfigs, 1 },
    };

    [Theory]
    [MemberData(nameof(Floors))]
    public async Task ApiVersionsAdvertisesKafka4Floors(ApiKey api, short floor)
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync(brokers: 1, partitions: 1);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, 0);
        ApiVersionsResponse versions = await client.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, 3);
        Assert.Equal(floor, versions.ApiKeys.Single(k => k.ApiKey == (short)api).MinVersion);
    }

    [Fact]
    public async Task ARemovedVersionClosesTheSessionAsKafka4Does()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync(brokers: 1, partitions: 1);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, 0);
        await client.SendOnlyAsync(new JoinGroupRequest { GroupId = "g", SessionTimeoutMs = 10_000, MemberId = "", ProtocolType = "consumer" }, 1);
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
    }
}
