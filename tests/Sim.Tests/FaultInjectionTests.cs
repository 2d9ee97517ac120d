using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using KafkaNative.TestSupport;
using Microsoft.Extensions.Time.Testing;
using static KafkaNative.Sim.Tests.ProduceFetchTests;

namespace KafkaNative.Sim.Tests;

public sealed class FaultInjectionTests
{
    private static async Task<MetadataResponse> MetadataAsync(KafkaTestClient client, string topic) =>
        await client.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] }, 9);

    [Fact]
    public async Task Moving_a_leader_changes_metadata_and_fences_the_old_leader()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("move", 1);
        int old = cluster.LeaderOf("move", 0);
        int next = (old + 1) % 3;
        await cluster.MoveLeaderAsync("move", 0, next);
        Assert.Equal(next, cluster.LeaderOf("move", 0));

        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, old);
        MetadataResponse metadata = await MetadataAsync(client, "move");
        Assert.Equal(next, metadata.Topics[0].Partitions[0].LeaderId);
        Assert.Equal(1, metadata.Topics[0].Partitions[0].LeaderEpoch);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, (await ProduceAsync(client, "move", 0, Batches.Build(["x"]))).ErrorCode);

        var fetch = Fetch("move", 0, 0);
        fetch.Topics[0].Partitions[0].CurrentLeaderEpoch = 0;
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, next);
        FetchResponse fenced = await leader.SendAsync<FetchRequest, FetchResponse>(fetch, 11);
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, fenced.Responses[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task A_stopped_broker_loses_leadership_and_catches_up_after_restart()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("failover", 1);
        int leader = cluster.LeaderOf("failover", 0);
        await using (KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, leader))
        {
            for (int i = 0; i < 3; i++) await ProduceAsync(client, "failover", 0, Batches.Build([$"before-{i}"]));
        }
        await cluster.StopBrokerAsync(leader);
        int successor = cluster.LeaderOf("failover", 0);
        Assert.NotEqual(leader, successor);
        Assert.True(successor >= 0);

        await using (KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, successor))
        {
            MetadataResponse metadata = await MetadataAsync(client, "failover");
            Assert.DoesNotContain(metadata.Brokers, b => b.NodeId == leader);
            Assert.Contains(leader, metadata.Topics[0].Partitions[0].OfflineReplicas);
            Assert.DoesNotContain(leader, metadata.Topics[0].Partitions[0].IsrNodes);
            var produced = await ProduceAsync(client, "failover", 0, Batches.Build(["after"]));
            Assert.Equal((short)ErrorCode.None, produced.ErrorCode);
            Assert.Equal(3, produced.BaseOffset);
        }

        await cluster.StartBrokerAsync(leader);
        await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(10));
        await cluster.MoveLeaderAsync("failover", 0, leader);
        Assert.Equal(["before-0", "before-1", "before-2", "after"], cluster.ReadBatches("failover", 0).SelectMany(b => Batches.Read(b)).Select(r => r.Value));
    }

    [Fact]
    public async Task Injected_errors_latency_stalls_and_dropped_connections_reach_the_client()
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time });
        await cluster.CreateTopicAsync("faults", 1);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, 0);

        cluster.InjectError(ApiKey.Metadata, ErrorCode.NotLeaderOrFollower, 1.0, brokerId: 0);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, (await MetadataAsync(client, "faults")).Topics[0].ErrorCode);
        cluster.ClearInjectedErrors();
        Assert.Equal((short)ErrorCode.None, (await MetadataAsync(client, "faults")).Topics[0].ErrorCode);
        Assert.True(cluster.RequestCount(0, ApiKey.Metadata) >= 2);

        cluster.SetLatency(0, TimeSpan.FromMilliseconds(300));
        long asked = cluster.RequestCount(0, ApiKey.Metadata);
        Task<MetadataResponse> delayed = MetadataAsync(client, "faults");
        await Eventually.TrueAsync(() => cluster.RequestCount(0, ApiKey.Metadata) > asked, "the delayed request to reach the broker");
        Assert.False(delayed.IsCompleted);   // held for the latency, which has not passed on the cluster's clock
        await time.AdvanceUntilAsync(() => delayed.IsCompleted, TimeSpan.FromMilliseconds(100), "the delayed response once its latency passed");
        await delayed;
        cluster.SetLatency(0, TimeSpan.Zero);

        cluster.SetStalled(0, true);
        asked = cluster.RequestCount(0, ApiKey.Metadata);
        Task<MetadataResponse> stalled = MetadataAsync(client, "faults");
        await Eventually.TrueAsync(() => cluster.RequestCount(0, ApiKey.Metadata) > asked, "the stalled request to reach the broker");
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.False(stalled.IsCompleted);   // a stall holds responses however long it lasts
        cluster.SetStalled(0, false);
        await stalled.WaitAsync(TimeSpan.FromSeconds(30));

        cluster.DropConnections(0);
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
        await using KafkaTestClient again = await KafkaTestClient.ConnectAsync(cluster, 0);
        Assert.Equal((short)ErrorCode.None, (await MetadataAsync(again, "faults")).Topics[0].ErrorCode);
        Assert.True(cluster.ConnectionCount(0) >= 2);
    }

    [Fact]
    public async Task With_every_in_sync_replica_down_the_partition_goes_offline_until_one_returns()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("offline", 1, replicationFactor: 2);
        await using (KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("offline", 0)))
        {
            await ProduceAsync(client, "offline", 0, Batches.Build(["kept"]));
        }
        int first = cluster.LeaderOf("offline", 0);
        await cluster.StopBrokerAsync(first);
        int second = cluster.LeaderOf("offline", 0);
        await cluster.StopBrokerAsync(second);
        Assert.Equal(-1, cluster.LeaderOf("offline", 0));
        await cluster.StartBrokerAsync(second);
        Assert.Equal(second, cluster.LeaderOf("offline", 0));
        Assert.Equal(["kept"], cluster.ReadBatches("offline", 0).SelectMany(b => Batches.Read(b)).Select(r => r.Value));
    }
}
