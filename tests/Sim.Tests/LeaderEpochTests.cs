using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using static KafkaNative.Sim.Tests.ProduceFetchTests;

namespace KafkaNative.Sim.Tests;

/// <summary>
/// KIP-320 on the Sim: OffsetForLeaderEpoch from each replica's leader-epoch history, CurrentLeaderEpoch fencing
/// in Fetch, ListOffsets and OffsetForLeaderEpoch, DivergingEpoch in Fetch v12+, and unclean elections that truncate.
/// </summary>
public sealed class LeaderEpochTests
{
    private static async Task<OffsetForLeaderEpochResponse.EpochEndOffset> EpochEndAsync(KafkaTestClient client, string topic, int epoch, int currentLeaderEpoch = -1, short version = 4)
    {
        var request = new OffsetForLeaderEpochRequest
        {
            ReplicaId = -1,
            Topics = [new OffsetForLeaderEpochRequest.OffsetForLeaderTopic { Topic = topic, Partitions = [new() { Partition = 0, LeaderEpoch = epoch, CurrentLeaderEpoch = currentLeaderEpoch }] }],
        };
        OffsetForLeaderEpochResponse response = await client.SendAsync<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(request, version);
        return response.Topics.Single().Partitions.Single();
    }

    private static async Task<FetchResponse.PartitionData> FetchAsync(KafkaTestClient client, string topic, long offset, int currentLeaderEpoch, int lastFetchedEpoch = -1, short version = 12)
    {
        FetchRequest request = Fetch(topic, 0, offset);
        request.Topics[0].Partitions[0].CurrentLeaderEpoch = currentLeaderEpoch;
        request.Topics[0].Partitions[0].LastFetchedEpoch = lastFetchedEpoch;
        FetchResponse response = await client.SendAsync<FetchRequest, FetchResponse>(request, version);
        return response.Responses.Single().Partitions.Single();
    }

    private static async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> LatestAsync(KafkaTestClient client, string topic, int currentLeaderEpoch)
    {
        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new() { PartitionIndex = 0, Timestamp = -1, CurrentLeaderEpoch = currentLeaderEpoch }] }],
        };
        ListOffsetsResponse response = await client.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(request, 7);
        return response.Topics.Single().Partitions.Single();
    }

    private static async Task ProduceToLeaderAsync(SimulatedCluster cluster, string topic, IReadOnlyList<string> values)
    {
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf(topic, 0));
        Assert.Equal((short)ErrorCode.None, (await ProduceAsync(leader, topic, 0, Batches.Build(values))).ErrorCode);
    }

    [Fact]
    public async Task OffsetForLeaderEpoch_answers_from_the_epoch_history_and_fences_stale_and_future_epochs()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("epochs", 1);
        int first = cluster.LeaderOf("epochs", 0);
        int second = (first + 1) % 3, third = (first + 2) % 3;
        await ProduceToLeaderAsync(cluster, "epochs", ["a", "b", "c"]);      // 0-2 at epoch 0
        await cluster.MoveLeaderAsync("epochs", 0, second);
        await ProduceToLeaderAsync(cluster, "epochs", ["d", "e"]);           // 3-4 at epoch 1
        await WaitForHighWatermarkAsync(cluster, "epochs", 0, 5);
        await cluster.MoveLeaderAsync("epochs", 0, third);                  // epoch 2 writes nothing

        Assert.Equal([(0, 0L), (1, 3L), (2, 5L)], cluster.LeaderEpochHistory("epochs", 0, third));
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, third);
        foreach (short version in new short[] { 2, 3, 4 })
        {
            OffsetForLeaderEpochResponse.EpochEndOffset epoch0 = await EpochEndAsync(leader, "epochs", 0, 2, version);
            Assert.Equal(((short)ErrorCode.None, 0, 3L), (epoch0.ErrorCode, epoch0.LeaderEpoch, epoch0.EndOffset));
        }
        OffsetForLeaderEpochResponse.EpochEndOffset epoch1 = await EpochEndAsync(leader, "epochs", 1, 2);
        Assert.Equal((1, 5L), (epoch1.LeaderEpoch, epoch1.EndOffset));
        // The current epoch ends at the log end; without CurrentLeaderEpoch nothing is fenced.
        OffsetForLeaderEpochResponse.EpochEndOffset current = await EpochEndAsync(leader, "epochs", 2);
        Assert.Equal((2, 5L), (current.LeaderEpoch, current.EndOffset));
        // An epoch newer than any known is UNDEFINED.
        OffsetForLeaderEpochResponse.EpochEndOffset unknown = await EpochEndAsync(leader, "epochs", 7, 2);
        Assert.Equal(((short)ErrorCode.None, -1, -1L), (unknown.ErrorCode, unknown.LeaderEpoch, unknown.EndOffset));

        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, (await EpochEndAsync(leader, "epochs", 0, 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, (await EpochEndAsync(leader, "epochs", 0, 3)).ErrorCode);
        await using KafkaTestClient follower = await KafkaTestClient.ConnectAsync(cluster, first);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, (await EpochEndAsync(follower, "epochs", 0, 2)).ErrorCode);
        var missing = new OffsetForLeaderEpochRequest { Topics = [new() { Topic = "no-such-topic", Partitions = [new() { Partition = 0, LeaderEpoch = 0 }] }] };
        OffsetForLeaderEpochResponse none = await leader.SendAsync<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(missing, 4);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, none.Topics.Single().Partitions.Single().ErrorCode);
    }

    [Fact]
    public async Task Fetch_and_ListOffsets_fence_a_stale_current_leader_epoch_and_refuse_a_future_one()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("fenced", 1);
        await ProduceToLeaderAsync(cluster, "fenced", ["a"]);
        await WaitForHighWatermarkAsync(cluster, "fenced", 0, 1);
        int next = (cluster.LeaderOf("fenced", 0) + 1) % 3;
        await cluster.MoveLeaderAsync("fenced", 0, next);                   // epoch 1
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, next);

        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, (await FetchAsync(leader, "fenced", 0, currentLeaderEpoch: 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, (await FetchAsync(leader, "fenced", 0, currentLeaderEpoch: 2)).ErrorCode);
        FetchResponse.PartitionData ok = await FetchAsync(leader, "fenced", 0, currentLeaderEpoch: 1, version: 9);
        Assert.Equal((short)ErrorCode.None, ok.ErrorCode);
        Assert.Equal([(0L, "a")], Batches.Read(ok.Records!.Value));

        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, (await LatestAsync(leader, "fenced", 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, (await LatestAsync(leader, "fenced", 2)).ErrorCode);
        ListOffsetsResponse.ListOffsetsPartitionResponse latest = await LatestAsync(leader, "fenced", 1);
        Assert.Equal(((short)ErrorCode.None, 1L, 1), (latest.ErrorCode, latest.Offset, latest.LeaderEpoch));
    }

    [Fact]
    public async Task An_unclean_election_loses_the_old_leaders_tail_which_it_truncates_when_it_follows()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync(brokers: 2);
        await cluster.CreateTopicAsync("unclean", 1, replicationFactor: 2);
        int old = cluster.LeaderOf("unclean", 0), behind = 1 - old;
        await ProduceToLeaderAsync(cluster, "unclean", ["a", "b", "c"]);    // 0-2 on both
        await WaitForHighWatermarkAsync(cluster, "unclean", 0, 3);
        await cluster.StopBrokerAsync(behind);                              // leaves the ISR
        await ProduceToLeaderAsync(cluster, "unclean", ["d", "e"]);         // 3-4 on the old leader alone, committed
        await WaitForHighWatermarkAsync(cluster, "unclean", 0, 5);
        await cluster.StopBrokerAsync(old);                                 // offline: its ISR was itself
        await cluster.StartBrokerAsync(behind);
        Assert.Equal(-1, cluster.LeaderOf("unclean", 0));

        await cluster.ElectUncleanLeaderAsync("unclean", 0, behind);        // epoch 2 at offset 3
        await Eventually.TrueAsync(() => cluster.LeaderEpochHistory("unclean", 0, behind).Count == 2, "the new leader's epoch");
        Assert.Equal([(0, 0L), (2, 3L)], cluster.LeaderEpochHistory("unclean", 0, behind));
        await ProduceToLeaderAsync(cluster, "unclean", ["X"]);              // 3 at epoch 2
        await using (KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, behind))
        {
            // A consumer that read 0-4 at epoch 0 learns that epoch 0 ends at 3 here.
            OffsetForLeaderEpochResponse.EpochEndOffset end = await EpochEndAsync(leader, "unclean", 0, 2);
            Assert.Equal((0, 3L), (end.LeaderEpoch, end.EndOffset));
            // Fetch v12 with its last fetched epoch says so too, with no records (KIP-595).
            FetchResponse.PartitionData diverging = await FetchAsync(leader, "unclean", 5, currentLeaderEpoch: 2, lastFetchedEpoch: 0);
            Assert.Equal((short)ErrorCode.None, diverging.ErrorCode);
            Assert.Equal((0, 3L), (diverging.DivergingEpoch.Epoch, diverging.DivergingEpoch.EndOffset));
            Assert.True(diverging.Records is null || diverging.Records.Value.IsEmpty);
            // A consistent fetch reads on.
            FetchResponse.PartitionData consistent = await FetchAsync(leader, "unclean", 3, currentLeaderEpoch: 2, lastFetchedEpoch: 0);
            Assert.Equal((-1, -1L), (consistent.DivergingEpoch.Epoch, consistent.DivergingEpoch.EndOffset));
            Assert.Equal([(3L, "X")], Batches.Read(consistent.Records!.Value));
            // An incremental fetch of a session (KIP-227) that changes only the offset answers the divergence too.
            FetchRequest open = Fetch("unclean", 0, 3);
            open.SessionEpoch = 0;
            open.Topics[0].Partitions[0].CurrentLeaderEpoch = 2;
            open.Topics[0].Partitions[0].LastFetchedEpoch = 0;
            FetchResponse opened = await leader.SendAsync<FetchRequest, FetchResponse>(open, 12);
            Assert.NotEqual(0, opened.SessionId);
            FetchRequest next = Fetch("unclean", 0, 5);
            (next.SessionId, next.SessionEpoch) = (opened.SessionId, 1);
            next.Topics[0].Partitions[0].CurrentLeaderEpoch = 2;
            next.Topics[0].Partitions[0].LastFetchedEpoch = 0;
            FetchResponse.PartitionData incremental = (await leader.SendAsync<FetchRequest, FetchResponse>(next, 12)).Responses.Single().Partitions.Single();
            Assert.Equal((0, 3L), (incremental.DivergingEpoch.Epoch, incremental.DivergingEpoch.EndOffset));
            // A last fetched epoch the leader has no end for is out of range, as Kafka answers.
            Assert.Equal((short)ErrorCode.OffsetOutOfRange, (await FetchAsync(leader, "unclean", 3, currentLeaderEpoch: 2, lastFetchedEpoch: 5)).ErrorCode);
        }

        await cluster.StartBrokerAsync(old);
        await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([(0, 0L), (2, 3L)], cluster.LeaderEpochHistory("unclean", 0, old));
        await cluster.MoveLeaderAsync("unclean", 0, old);
        Assert.Equal([(0L, "a"), (1L, "b"), (2L, "c"), (3L, "X")], cluster.ReadBatches("unclean", 0).SelectMany(b => Batches.Read(b)).ToList());
    }

    [Fact]
    public async Task An_unclean_election_needs_a_live_replica()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync(brokers: 2);
        await cluster.CreateTopicAsync("guarded", 1, replicationFactor: 2);
        int follower = 1 - cluster.LeaderOf("guarded", 0);
        await cluster.StopBrokerAsync(follower);
        await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.ElectUncleanLeaderAsync("guarded", 0, follower));
    }
}
