using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Tests;

/// <summary>KIP-951 leader hints in the metadata cache: when a hint is taken, when it is refused, and how it outlives an older refresh.</summary>
public sealed class LeaderHintCacheTests
{
    [Fact]
    public async Task A_newer_epoch_moves_the_leader_an_older_refresh_keeps_it_and_a_stale_or_self_naming_hint_is_refused()
    {
        await using var one = new FakeBroker(nodeId: 1);
        await using var two = new FakeBroker(nodeId: 2);
        int epoch = 3, leader = 1;
        bool listTwo = false;
        one.Metadata = _ =>
        {
            var response = new MetadataResponse { ClusterId = "c", ControllerId = 1 };
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = 1, Host = one.Host, Port = one.Port });
            if (listTwo) response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = 2, Host = two.Host, Port = two.Port });
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic
            {
                Name = "t",
                Partitions = [new MetadataResponse.MetadataResponsePartition { PartitionIndex = 0, LeaderId = leader, LeaderEpoch = epoch, ReplicaNodes = [1, 2] }],
            });
            return response;
        };
        await using var cluster = new KafkaCluster(TestOptions.For(one.Bootstrap));
        await cluster.GetTopicAsync("t").AsTask().WaitAsync(TestOptions.NoHang);

        // Broker 2 is not in the metadata: without its endpoint the hint cannot be used.
        Assert.False(cluster.TryApplyLeaderHint("t", 0, 2, 5, null, failedNodeId: 1));
        // With it, the leader moves and the broker is added.
        Assert.True(cluster.TryApplyLeaderHint("t", 0, 2, 5, two.Endpoint, failedNodeId: 1));
        Assert.Equal((2, 5), (cluster.Metadata!.GetPartition("t", 0)!.LeaderId, cluster.Metadata.GetPartition("t", 0)!.LeaderEpoch));
        Assert.Equal(two.Endpoint, cluster.Metadata.Brokers[2].Endpoint);
        // A hint naming the broker that failed, or older than a cache that names the failed broker, is refused.
        Assert.False(cluster.TryApplyLeaderHint("t", 0, 2, 6, two.Endpoint, failedNodeId: 2));
        Assert.False(cluster.TryApplyLeaderHint("t", 0, 1, 4, null, failedNodeId: 2));
        // An older hint is no news, but the cache already names another broker at a newer epoch: retry there.
        Assert.True(cluster.TryApplyLeaderHint("t", 0, 1, 4, null, failedNodeId: 3));

        // A refresh from a broker that has not heard of the move yet keeps the hint.
        listTwo = true;
        ClusterMetadata refreshed = await cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang);
        Assert.Equal((2, 5), (refreshed.GetPartition("t", 0)!.LeaderId, refreshed.GetPartition("t", 0)!.LeaderEpoch));
        // One that has, at a newer epoch still, wins.
        (leader, epoch) = (1, 7);
        refreshed = await cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang);
        Assert.Equal((1, 7), (refreshed.GetPartition("t", 0)!.LeaderId, refreshed.GetPartition("t", 0)!.LeaderEpoch));
    }
}
