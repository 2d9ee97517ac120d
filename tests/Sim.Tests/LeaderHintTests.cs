using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using static KafkaNative.Sim.Tests.ProduceFetchTests;

namespace KafkaNative.Sim.Tests;

/// <summary>KIP-951: NOT_LEADER_OR_FOLLOWER (and, for Fetch, FENCED_LEADER_EPOCH) answers name the leader, at the versions Kafka fills them.</summary>
public sealed class LeaderHintTests
{
    [Fact]
    public async Task Produce_v10_names_the_new_leader_and_its_endpoint_after_a_move_and_v9_does_not()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("hints", 1);
        int first = cluster.LeaderOf("hints", 0);
        await using KafkaTestClient old = await KafkaTestClient.ConnectAsync(cluster, first);
        Assert.Equal(0, (await ProduceAsync(old, "hints", 0, Batches.Build(["a"]), version: 11)).ErrorCode);
        int next = (first + 1) % 3;
        await cluster.MoveLeaderAsync("hints", 0, next);

        ProduceResponse response = await old.SendAsync<ProduceRequest, ProduceResponse>(Produce("hints", 0, Batches.Build(["b"])), 11);
        ProduceResponse.PartitionProduceResponse partition = response.Responses.Single().PartitionResponses.Single();
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, partition.ErrorCode);
        Assert.Equal(next, partition.CurrentLeader.LeaderId);
        Assert.Equal(await LeaderEpochAsync(old, "hints"), partition.CurrentLeader.LeaderEpoch);
        Assert.True(partition.CurrentLeader.LeaderEpoch > 0);
        ProduceResponse.NodeEndpoint endpoint = Assert.Single(response.NodeEndpoints);
        Assert.Equal(next, endpoint.NodeId);
        Assert.Contains($"{endpoint.Host}:{endpoint.Port}", cluster.BootstrapServers.Split(','));

        ProduceResponse v9 = await old.SendAsync<ProduceRequest, ProduceResponse>(Produce("hints", 0, Batches.Build(["c"])), 9);
        Assert.Equal(-1, v9.Responses.Single().PartitionResponses.Single().CurrentLeader.LeaderId);
        Assert.Empty(v9.NodeEndpoints);

        // Errors other than NOT_LEADER_OR_FOLLOWER carry no hint.
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, next);
        byte[] corrupt = Batches.Build(["x"]);
        corrupt[^1] ^= 0xFF;
        ProduceResponse bad = await leader.SendAsync<ProduceRequest, ProduceResponse>(Produce("hints", 0, corrupt), 11);
        Assert.Equal(-1, bad.Responses.Single().PartitionResponses.Single().CurrentLeader.LeaderId);
        Assert.Empty(bad.NodeEndpoints);
    }

    [Fact]
    public async Task Fetch_v16_names_the_leader_on_not_leader_and_fenced_epoch_and_v12_does_not()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("fhints", 1);
        int first = cluster.LeaderOf("fhints", 0);
        int next = (first + 1) % 3;
        await cluster.MoveLeaderAsync("fhints", 0, next);
        await using KafkaTestClient old = await KafkaTestClient.ConnectAsync(cluster, first);
        (Guid topicId, int epoch) = await TopicAsync(old, "fhints");

        FetchRequest byId = Fetch("fhints", 0, 0);
        byId.Topics[0].TopicId = topicId;
        FetchResponse response = await old.SendAsync<FetchRequest, FetchResponse>(byId, 16);
        FetchResponse.PartitionData data = response.Responses.Single().Partitions.Single();
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, data.ErrorCode);
        Assert.Equal((next, epoch), (data.CurrentLeader.LeaderId, data.CurrentLeader.LeaderEpoch));
        Assert.Equal(next, Assert.Single(response.NodeEndpoints).NodeId);

        FetchResponse v12 = await old.SendAsync<FetchRequest, FetchResponse>(Fetch("fhints", 0, 0), 12);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, v12.Responses.Single().Partitions.Single().ErrorCode);
        Assert.Equal(-1, v12.Responses.Single().Partitions.Single().CurrentLeader.LeaderId);

        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, next);
        byId.Topics[0].Partitions[0].CurrentLeaderEpoch = epoch - 1;
        FetchResponse fenced = await leader.SendAsync<FetchRequest, FetchResponse>(byId, 17);
        data = fenced.Responses.Single().Partitions.Single();
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, data.ErrorCode);
        Assert.Equal((next, epoch), (data.CurrentLeader.LeaderId, data.CurrentLeader.LeaderEpoch));
        Assert.Equal(next, Assert.Single(fenced.NodeEndpoints).NodeId);
    }

    private static async Task<int> LeaderEpochAsync(KafkaTestClient client, string topic) => (await TopicAsync(client, topic)).Epoch;

    private static async Task<(Guid Id, int Epoch)> TopicAsync(KafkaTestClient client, string topic)
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false };
        MetadataResponse response = await client.SendAsync<MetadataRequest, MetadataResponse>(request, 12);
        MetadataResponse.MetadataResponseTopic t = response.Topics.Single();
        return (t.TopicId, t.Partitions.Single().LeaderEpoch);
    }
}
