using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using KafkaNative.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Sim.Tests;

public sealed class GroupTests
{
    /// <summary>Requests of one API the brokers have received, so a test can wait for one to arrive.</summary>
    private static long Requests(SimulatedCluster cluster, ApiKey api) => cluster.BrokerIds.Sum(id => (long)cluster.RequestCount(id, api));

    /// <summary>Waits until the coordinator has taken a join in and begun a rebalance of <paramref name="group"/>.</summary>
    private static Task RebalancingAsync(KafkaTestClient client, string group) =>
        Eventually.TrueAsync(async () => (await client.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(
            new DescribeGroupsRequest { Groups = [group] }, 5)).Groups[0].GroupState == "PreparingRebalance", () => $"{group} to start rebalancing");

    private const short JoinVersion = 7;

    internal static JoinGroupRequest Join(string group, string memberId, string? instanceId = null, int sessionTimeoutMs = 10000, int rebalanceTimeoutMs = 10000) => new()
    {
        GroupId = group,
        SessionTimeoutMs = sessionTimeoutMs,
        RebalanceTimeoutMs = rebalanceTimeoutMs,
        MemberId = memberId,
        GroupInstanceId = instanceId,
        ProtocolType = "consumer",
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = new byte[] { 1, 2 } }],
    };

    internal static async Task<KafkaTestClient> CoordinatorAsync(SimulatedCluster cluster, string group)
    {
        await using KafkaTestClient any = await KafkaTestClient.ConnectAsync(cluster, 0);
        FindCoordinatorResponse found = await any.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = group }, 3);
        Assert.Equal((short)ErrorCode.None, found.ErrorCode);
        return await KafkaTestClient.ConnectAsync(cluster, found.NodeId);
    }

    internal static Task<JoinGroupResponse> JoinAsync(KafkaTestClient client, JoinGroupRequest request) =>
        client.SendAsync<JoinGroupRequest, JoinGroupResponse>(request, JoinVersion);

    internal static Task<SyncGroupResponse> SyncAsync(KafkaTestClient client, string group, int generation, string memberId, params (string Member, byte[] Assignment)[] assignments) =>
        client.SendAsync<SyncGroupRequest, SyncGroupResponse>(new SyncGroupRequest
        {
            GroupId = group,
            GenerationId = generation,
            MemberId = memberId,
            Assignments = assignments.Select(a => new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = a.Member, Assignment = a.Assignment }).ToList(),
        }, 5);

    internal static async Task<short> HeartbeatAsync(KafkaTestClient client, string group, int generation, string memberId, string? instanceId = null) =>
        (await client.SendAsync<HeartbeatRequest, HeartbeatResponse>(new HeartbeatRequest { GroupId = group, GenerationId = generation, MemberId = memberId, GroupInstanceId = instanceId }, 4)).ErrorCode;

    [Fact]
    public async Task Members_join_rebalance_sync_and_get_kafka_errors_for_stale_generations()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await using KafkaTestClient a = await CoordinatorAsync(cluster, "g1");
        await using KafkaTestClient b = await CoordinatorAsync(cluster, "g1");

        JoinGroupResponse required = await JoinAsync(a, Join("g1", ""));
        Assert.Equal((short)ErrorCode.MemberIdRequired, required.ErrorCode);
        string memberA = required.MemberId;
        JoinGroupResponse joinedA = await JoinAsync(a, Join("g1", memberA));
        Assert.Equal((short)ErrorCode.None, joinedA.ErrorCode);
        Assert.Equal(1, joinedA.GenerationId);
        Assert.Equal(memberA, joinedA.Leader);
        Assert.Equal("range", joinedA.ProtocolName);
        Assert.Single(joinedA.Members);
        SyncGroupResponse syncA = await SyncAsync(a, "g1", 1, memberA, (memberA, [9]));
        Assert.Equal([9], syncA.Assignment.ToArray());

        // A second member triggers a rebalance; the first learns of it from its heartbeat and rejoins.
        string memberB = (await JoinAsync(b, Join("g1", ""))).MemberId;
        Task<JoinGroupResponse> joiningB = JoinAsync(b, Join("g1", memberB));
        await RebalancingAsync(a, "g1");
        Assert.Equal((short)ErrorCode.RebalanceInProgress, await HeartbeatAsync(a, "g1", 1, memberA));
        JoinGroupResponse rejoinedA = await JoinAsync(a, Join("g1", memberA));
        JoinGroupResponse joinedB = await joiningB;
        Assert.Equal(2, rejoinedA.GenerationId);
        Assert.Equal(2, joinedB.GenerationId);
        Assert.Equal(memberA, joinedB.Leader);
        Assert.Equal(2, rejoinedA.Members.Count);
        Assert.Empty(joinedB.Members);

        long syncs = Requests(cluster, ApiKey.SyncGroup);
        Task<SyncGroupResponse> syncingB = SyncAsync(b, "g1", 2, memberB);
        await Eventually.TrueAsync(() => Requests(cluster, ApiKey.SyncGroup) > syncs, "b's sync at the coordinator");
        Assert.False(syncingB.IsCompleted);
        await SyncAsync(a, "g1", 2, memberA, (memberA, [1]), (memberB, [2]));
        Assert.Equal([2], (await syncingB).Assignment.ToArray());

        Assert.Equal((short)ErrorCode.None, await HeartbeatAsync(b, "g1", 2, memberB));
        Assert.Equal((short)ErrorCode.IllegalGeneration, await HeartbeatAsync(b, "g1", 1, memberB));
        Assert.Equal((short)ErrorCode.UnknownMemberId, await HeartbeatAsync(b, "g1", 2, "ghost"));

        DescribeGroupsResponse described = await a.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["g1"] }, 5);
        Assert.Equal("Stable", described.Groups[0].GroupState);
        Assert.Equal(2, described.Groups[0].Members.Count);

        LeaveGroupResponse left = await b.SendAsync<LeaveGroupRequest, LeaveGroupResponse>(
            new LeaveGroupRequest { GroupId = "g1", Members = [new LeaveGroupRequest.MemberIdentity { MemberId = memberB }] }, 5);
        Assert.Equal((short)ErrorCode.None, left.Members[0].ErrorCode);
        Assert.Equal((short)ErrorCode.RebalanceInProgress, await HeartbeatAsync(a, "g1", 2, memberA));
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_expired_after_its_session_timeout()
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time });
        await using KafkaTestClient a = await CoordinatorAsync(cluster, "g2");
        string member = (await JoinAsync(a, Join("g2", ""))).MemberId;
        JoinGroupResponse joined = await JoinAsync(a, Join("g2", member, sessionTimeoutMs: 300));
        await SyncAsync(a, "g2", joined.GenerationId, member, (member, []));
        Assert.Equal((short)ErrorCode.None, await HeartbeatAsync(a, "g2", joined.GenerationId, member));
        time.Advance(TimeSpan.FromMilliseconds(301));
        await Eventually.TrueAsync(async () => await HeartbeatAsync(a, "g2", joined.GenerationId, member) == (short)ErrorCode.UnknownMemberId,
            "the silent member to be expired once its session timeout passed on the cluster's clock");
    }

    [Fact]
    public async Task Static_members_rejoin_without_rebalance_and_fence_their_old_id()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await using KafkaTestClient a = await CoordinatorAsync(cluster, "g3");
        await using KafkaTestClient b = await CoordinatorAsync(cluster, "g3");
        JoinGroupResponse leader = await JoinAsync(a, Join("g3", "", instanceId: "leader-instance"));
        Assert.Equal((short)ErrorCode.None, leader.ErrorCode);
        await SyncAsync(a, "g3", leader.GenerationId, leader.MemberId, (leader.MemberId, [1]));
        Task<JoinGroupResponse> joiningB = JoinAsync(b, Join("g3", "", instanceId: "b-instance"));
        await RebalancingAsync(a, "g3");
        JoinGroupResponse rejoinA = await JoinAsync(a, Join("g3", leader.MemberId, instanceId: "leader-instance"));
        JoinGroupResponse joinedB = await joiningB;
        Task<SyncGroupResponse> syncingB = SyncAsync(b, "g3", joinedB.GenerationId, joinedB.MemberId);
        await SyncAsync(a, "g3", rejoinA.GenerationId, leader.MemberId, (leader.MemberId, [1]), (joinedB.MemberId, [2]));
        Assert.Equal([2], (await syncingB).Assignment.ToArray());

        // b restarts with the same instance id: it gets a new member id, same generation, no rebalance.
        JoinGroupResponse restarted = await JoinAsync(b, Join("g3", "", instanceId: "b-instance"));
        Assert.Equal((short)ErrorCode.None, restarted.ErrorCode);
        Assert.Equal(joinedB.GenerationId, restarted.GenerationId);
        Assert.NotEqual(joinedB.MemberId, restarted.MemberId);
        Assert.Equal((short)ErrorCode.FencedInstanceId, await HeartbeatAsync(b, "g3", restarted.GenerationId, joinedB.MemberId, "b-instance"));
        Assert.Equal((short)ErrorCode.None, await HeartbeatAsync(b, "g3", restarted.GenerationId, restarted.MemberId, "b-instance"));
        Assert.Equal([2], (await SyncAsync(b, "g3", restarted.GenerationId, restarted.MemberId)).Assignment.ToArray());
    }

    [Fact]
    public async Task Offsets_are_committed_per_group_and_fetched_back()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 2);
        await using KafkaTestClient a = await CoordinatorAsync(cluster, "g4");
        var commit = new OffsetCommitRequest
        {
            GroupId = "g4",
            GenerationIdOrMemberEpoch = -1,
            MemberId = "",
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = "t",
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = 42, CommittedMetadata = "m" }],
            }],
        };
        OffsetCommitResponse committed = await a.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(commit, 8);
        Assert.Equal((short)ErrorCode.None, committed.Topics[0].Partitions[0].ErrorCode);

        OffsetFetchResponse fetched = await a.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = "g4",
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "t", PartitionIndexes = [0, 1] }],
        }, 7);
        Assert.Equal(-1, fetched.Topics[0].Partitions[0].CommittedOffset);
        Assert.Equal(42, fetched.Topics[0].Partitions[1].CommittedOffset);
        Assert.Equal("m", fetched.Topics[0].Partitions[1].Metadata);

        OffsetFetchResponse all = await a.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "g4", Topics = null }],
        }, 9);
        Assert.Equal(42, all.Groups[0].Topics.Single().Partitions.Single().CommittedOffset);

        await using KafkaTestClient any = await KafkaTestClient.ConnectAsync(cluster, 0);
        FindCoordinatorResponse coordinator = await any.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
            new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = ["g4"] }, 4);
        int other = (coordinator.Coordinators[0].NodeId + 1) % 3;
        await using KafkaTestClient wrong = await KafkaTestClient.ConnectAsync(cluster, other);
        OffsetFetchResponse notHere = await wrong.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "g4", Topics = null }, 7);
        Assert.Equal((short)ErrorCode.NotCoordinator, notHere.ErrorCode);
    }
}
