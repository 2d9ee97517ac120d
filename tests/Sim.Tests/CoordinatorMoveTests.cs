using System.Diagnostics;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static KafkaNative.Sim.Tests.GroupTests;

namespace KafkaNative.Sim.Tests;

/// <summary>Group state lives on, as Kafka's does in __consumer_offsets, when the coordinator moves to another broker.</summary>
public sealed class CoordinatorMoveTests
{
    private const string Topic = "positions";

    /// <summary>A two-member group in its second generation: the leader was assigned [1], the follower [2].</summary>
    private sealed record FormedGroup(string Leader, string Follower, int Generation);

    private static async Task<FormedGroup> FormAsync(KafkaTestClient a, KafkaTestClient b, string group, int followerSessionTimeoutMs = 10000)
    {
        string leader = (await JoinAsync(a, Join(group, ""))).MemberId;
        JoinGroupResponse first = await JoinAsync(a, Join(group, leader));
        await SyncAsync(a, group, first.GenerationId, leader, (leader, [1]));
        string follower = (await JoinAsync(b, Join(group, "", sessionTimeoutMs: followerSessionTimeoutMs))).MemberId;
        Task<JoinGroupResponse> joining = JoinAsync(b, Join(group, follower, sessionTimeoutMs: followerSessionTimeoutMs));
        await Eventually.TrueAsync(async () => await HeartbeatAsync(a, group, first.GenerationId, leader) == (short)ErrorCode.RebalanceInProgress, () => "the coordinator to start a rebalance", TimeSpan.FromSeconds(10));
        JoinGroupResponse rejoined = await JoinAsync(a, Join(group, leader));
        JoinGroupResponse joined = await joining;
        Task<SyncGroupResponse> syncing = SyncAsync(b, group, joined.GenerationId, follower);
        await SyncAsync(a, group, rejoined.GenerationId, leader, (leader, [1]), (follower, [2]));
        Assert.Equal([2], (await syncing).Assignment.ToArray());
        return new FormedGroup(leader, follower, rejoined.GenerationId);
    }

    private static async Task CommitAsync(KafkaTestClient client, string group, FormedGroup formed, params long[] offsets)
    {
        OffsetCommitResponse committed = await client.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = formed.Generation,
            MemberId = formed.Leader,
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = Topic,
                Partitions = offsets.Select((offset, p) => new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = p, CommittedOffset = offset }).ToList(),
            }],
        }, 8);
        Assert.All(committed.Topics[0].Partitions, p => Assert.Equal((short)ErrorCode.None, p.ErrorCode));
    }

    private static Task<OffsetFetchResponse> FetchOffsetsAsync(KafkaTestClient client, string group) =>
        client.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = group,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = Topic, PartitionIndexes = [0, 1] }],
        }, 7);

    private static Task<DescribeGroupsResponse> DescribeAsync(KafkaTestClient client, string group) =>
        client.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = [group] }, 5);

    /// <summary>The new coordinator serves the same generation, members, assignments and offsets.</summary>
    private static async Task AssertServedAsync(SimulatedCluster cluster, int coordinator, string group, FormedGroup formed)
    {
        await using KafkaTestClient any = await KafkaTestClient.ConnectAsync(cluster, coordinator);
        FindCoordinatorResponse found = await any.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = group }, 3);
        Assert.Equal(coordinator, found.NodeId);
        Assert.Equal((short)ErrorCode.None, await HeartbeatAsync(any, group, formed.Generation, formed.Leader));
        Assert.Equal((short)ErrorCode.None, await HeartbeatAsync(any, group, formed.Generation, formed.Follower));
        Assert.Equal([2], (await SyncAsync(any, group, formed.Generation, formed.Follower)).Assignment.ToArray());
        DescribeGroupsResponse.DescribedGroup described = (await DescribeAsync(any, group)).Groups.Single();
        Assert.Equal("Stable", described.GroupState);
        Assert.Equal(
            [(formed.Leader, (byte)1), (formed.Follower, (byte)2)],
            described.Members.Select(m => (m.MemberId, m.MemberAssignment.Span[0])).OrderBy(m => m.Item2));
        OffsetFetchResponse offsets = await FetchOffsetsAsync(any, group);
        Assert.Equal([10L, 20L], offsets.Topics[0].Partitions.Select(p => p.CommittedOffset));
    }

    [Fact]
    public async Task A_moved_coordinator_serves_the_same_generation_members_and_offsets_and_the_old_one_refuses()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync(Topic, 2);
        const string group = "moved";
        int old = cluster.CoordinatorOf(group);
        await using KafkaTestClient a = await KafkaTestClient.ConnectAsync(cluster, old);
        await using KafkaTestClient b = await KafkaTestClient.ConnectAsync(cluster, old);
        FormedGroup formed = await FormAsync(a, b, group);
        await CommitAsync(a, group, formed, 10, 20);

        int next = (old + 1) % 3;
        await cluster.MoveGroupCoordinatorAsync(group, next);

        Assert.Equal((short)ErrorCode.NotCoordinator, await HeartbeatAsync(a, group, formed.Generation, formed.Leader));
        Assert.Equal((short)ErrorCode.NotCoordinator, (await FetchOffsetsAsync(a, group)).ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await JoinAsync(b, Join(group, formed.Follower))).ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await DescribeAsync(a, group)).Groups[0].ErrorCode);
        await AssertServedAsync(cluster, next, group, formed);
    }

    [Fact]
    public async Task A_join_waiting_at_the_old_coordinator_is_told_to_go_and_the_rebalance_completes_at_the_new_one()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        const string group = "mid-rebalance";
        int old = cluster.CoordinatorOf(group);
        await using KafkaTestClient a = await KafkaTestClient.ConnectAsync(cluster, old);
        await using KafkaTestClient b = await KafkaTestClient.ConnectAsync(cluster, old);
        await using KafkaTestClient c = await KafkaTestClient.ConnectAsync(cluster, old);
        FormedGroup formed = await FormAsync(a, b, group);
        string third = (await JoinAsync(c, Join(group, ""))).MemberId;
        Task<JoinGroupResponse> waiting = JoinAsync(c, Join(group, third));
        await Eventually.TrueAsync(async () => await HeartbeatAsync(a, group, formed.Generation, formed.Leader) == (short)ErrorCode.RebalanceInProgress, () => "the coordinator to start a rebalance", TimeSpan.FromSeconds(10));

        int next = (old + 2) % 3;
        await cluster.MoveGroupCoordinatorAsync(group, next);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await waiting).ErrorCode);

        await using KafkaTestClient a2 = await KafkaTestClient.ConnectAsync(cluster, next);
        await using KafkaTestClient b2 = await KafkaTestClient.ConnectAsync(cluster, next);
        await using KafkaTestClient c2 = await KafkaTestClient.ConnectAsync(cluster, next);
        Task<JoinGroupResponse>[] joins = [JoinAsync(a2, Join(group, formed.Leader)), JoinAsync(b2, Join(group, formed.Follower)), JoinAsync(c2, Join(group, third))];
        JoinGroupResponse[] joined = await Task.WhenAll(joins);
        Assert.All(joined, j => Assert.Equal((short)ErrorCode.None, j.ErrorCode));
        Assert.All(joined, j => Assert.Equal(formed.Generation + 1, j.GenerationId));
        Assert.Equal(formed.Leader, joined[0].Leader);
        Assert.Equal(3, joined[0].Members.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_group_survives_its_coordinator_stopping_or_crashing_and_sessions_are_still_enforced(bool crash)
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time });
        await cluster.CreateTopicAsync(Topic, 2);
        const string group = "survivor";
        int old = cluster.CoordinatorOf(group);
        FormedGroup formed;
        await using (KafkaTestClient a = await KafkaTestClient.ConnectAsync(cluster, old))
        await using (KafkaTestClient b = await KafkaTestClient.ConnectAsync(cluster, old))
        {
            formed = await FormAsync(a, b, group, followerSessionTimeoutMs: 3000);
            await CommitAsync(a, group, formed, 10, 20);
        }

        if (crash)
        {
            await cluster.KillBrokerAsync(old);
            Assert.Equal(old, cluster.CoordinatorOf(group));
            time.Advance(new ClusterOptions().BrokerSessionTimeout);
        }
        else
        {
            await cluster.StopBrokerAsync(old);
        }
        int next = cluster.CoordinatorOf(group);
        Assert.NotEqual(old, next);
        Assert.True(next >= 0);
        await AssertServedAsync(cluster, next, group, formed);

        // The follower goes quiet: its session still expires at the new coordinator and the leader is told to rejoin.
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, next);
        // Sessions run on the cluster's clock: past the follower's 3 s session, the brokers' next tick expires it.
        time.Advance(TimeSpan.FromMilliseconds(3001));
        await Eventually.TrueAsync(async () => await HeartbeatAsync(leader, group, formed.Generation, formed.Leader) == (short)ErrorCode.RebalanceInProgress, () => "the coordinator to start a rebalance", TimeSpan.FromSeconds(10));
        JoinGroupResponse alone = await JoinAsync(leader, Join(group, formed.Leader));
        Assert.Equal(formed.Generation + 1, alone.GenerationId);
        Assert.Equal([formed.Leader], alone.Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task A_coordinator_cannot_move_to_a_stopped_or_unknown_broker()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.StopBrokerAsync(2);
        InvalidOperationException stopped = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.MoveGroupCoordinatorAsync("g", 2));
        Assert.Contains("not a live broker", stopped.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cluster.MoveGroupCoordinatorAsync("g", 7));
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.MoveGroupCoordinatorAsync("", 0));
    }
}
