using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static KafkaNative.Sim.Tests.Support.ConsumerGroups;

namespace KafkaNative.Sim.Tests;

/// <summary>
/// Consumer-protocol groups (KIP-848) over time and beside the rest of the group APIs: session expiry and the rebalance
/// timeout on a fake clock, describing and listing, offsets by member epoch, classic groups beside them, coordinator moves.
/// </summary>
public sealed class ConsumerProtocolGroupLifecycleTests
{
    [Fact]
    public async Task A_silent_member_expires_after_the_consumer_group_session_timeout_and_its_partitions_move()
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time, ConsumerGroupSessionTimeoutMs = 45_000 });
        await cluster.CreateTopicAsync("t", 4);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "expiry");
        var a = new ConsumerGroupMember(client, "expiry", "a-member");
        var b = new ConsumerGroupMember(client, "expiry", "b-member");
        await a.JoinAsync(["t"]);
        await b.JoinAsync(["t"]);
        await a.BeatAsync();
        await a.BeatAsync();
        await b.BeatAsync();
        Assert.Equal(2, a.Owned.Count);

        // b keeps heartbeating; a goes silent. Just before its session ends it is still a member.
        time.Advance(TimeSpan.FromMilliseconds(30_000));
        await b.BeatAsync();
        time.Advance(TimeSpan.FromMilliseconds(14_999));
        await b.BeatAsync();
        Assert.Equal(2, cluster.ConsumerGroup("expiry")!.MemberEpochs.Count);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => cluster.ConsumerGroup("expiry")!.MemberEpochs.Count == 1, "a to expire");
        await b.BeatAsync();
        Assert.Equal([0, 1, 2, 3], b.Partitions);
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await a.BeatAsync()).ErrorCode);
        AssertNoDoubleOwnership(cluster, "expiry");
    }

    [Fact]
    public async Task A_static_member_away_longer_than_its_session_is_removed_and_its_partitions_move()
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time, ConsumerGroupSessionTimeoutMs = 10_000 });
        await cluster.CreateTopicAsync("t", 2);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "away");
        var a = new ConsumerGroupMember(client, "away", "a-member");
        var b = new ConsumerGroupMember(client, "away", "b-member");
        await a.JoinAsync(["t"], instanceId: "instance-a");
        await b.JoinAsync(["t"]);
        await a.BeatAsync(instanceId: "instance-a");
        await a.BeatAsync(instanceId: "instance-a");
        await b.BeatAsync();
        Assert.Single(b.Owned);

        time.Advance(TimeSpan.FromMilliseconds(5_000));
        await b.BeatAsync();
        await a.LeaveAsync(instanceId: "instance-a");
        // The session counts from the temporary leave: 9.999 s later the instance still holds its partition.
        time.Advance(TimeSpan.FromMilliseconds(5_000));
        await b.BeatAsync();
        time.Advance(TimeSpan.FromMilliseconds(4_999));
        await b.BeatAsync();
        Assert.Single(b.Owned);
        Assert.Contains(-2, cluster.ConsumerGroup("away")!.MemberEpochs.Values);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => cluster.ConsumerGroup("away")!.MemberEpochs.Count == 1, "the away instance to expire");
        await b.BeatAsync();
        Assert.Equal([0, 1], b.Partitions);
        AssertNoDoubleOwnership(cluster, "away");
    }

    [Fact]
    public async Task A_member_that_does_not_revoke_within_its_rebalance_timeout_is_fenced_and_its_partitions_released()
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time });
        await cluster.CreateTopicAsync("t", 4);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "slow");
        var a = new ConsumerGroupMember(client, "slow", "a-member");
        var b = new ConsumerGroupMember(client, "slow", "b-member");
        await a.JoinAsync(["t"]);
        await b.JoinAsync(["t"]);
        var everything = a.Owned.ToList();
        await a.BeatAsync(everything);   // told to revoke two...
        for (int i = 0; i < 3; i++)
        {
            // ...it keeps heartbeating while still owning them, past its rebalance timeout.
            time.Advance(TimeSpan.FromMilliseconds(ConsumerGroupMember.RebalanceTimeoutMs / 3));
            await a.BeatAsync(everything, epoch: 1);
            await b.BeatAsync();
        }
        await Eventually.TrueAsync(() => cluster.ConsumerGroup("slow")!.MemberEpochs.Count == 1, "a to be fenced");
        await b.BeatAsync();
        Assert.Equal([0, 1, 2, 3], b.Partitions);
        AssertNoDoubleOwnership(cluster, "slow");
    }

    [Fact]
    public async Task ConsumerGroupDescribe_ListGroups_and_DescribeGroups_answer_about_consumer_groups_as_kafka_does()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync(brokers: 1);
        await cluster.CreateTopicAsync("t", 3);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "described");
        var a = new ConsumerGroupMember(client, "described", "a-member");
        await a.SendAsync(ConsumerGroupMember.JoinRequest("described", a.MemberId, ["t"], assignor: "range", instanceId: "i-a", rackId: "rack-1"));

        ConsumerGroupDescribeResponse.DescribedGroup described = await DescribeAsync(client, "described");
        Assert.Equal((short)ErrorCode.None, described.ErrorCode);
        Assert.Equal("Stable", described.GroupState);
        Assert.Equal(1, described.GroupEpoch);
        Assert.Equal(1, described.AssignmentEpoch);
        Assert.Equal("range", described.AssignorName);
        ConsumerGroupDescribeResponse.Member member = Assert.Single(described.Members);
        Assert.Equal((a.MemberId, "i-a", "rack-1", 1), (member.MemberId, member.InstanceId, member.RackId, member.MemberEpoch));
        Assert.Equal(["t"], member.SubscribedTopicNames);
        Assert.Equal([0, 1, 2], Assert.Single(member.Assignment.TopicPartitions).Partitions);
        Assert.Equal("t", member.TargetAssignment.TopicPartitions.Single().TopicName);

        // A classic group is not a consumer group, for ConsumerGroupDescribe; nor is a consumer group a classic one, for DescribeGroups.
        JoinGroupResponse classic = await GroupTests.JoinAsync(client, GroupTests.Join("classic", ""));
        await GroupTests.JoinAsync(client, GroupTests.Join("classic", classic.MemberId));
        Assert.Equal((short)ErrorCode.GroupIdNotFound, (await DescribeAsync(client, "classic")).ErrorCode);
        Assert.Equal((short)ErrorCode.GroupIdNotFound, (await DescribeAsync(client, "nothing")).ErrorCode);
        DescribeGroupsResponse.DescribedGroup old = (await client.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["described"] }, 5)).Groups.Single();
        Assert.Equal(((short)ErrorCode.GroupIdNotFound, "Dead"), (old.ErrorCode, old.GroupState));

        ListGroupsResponse listed = await client.SendAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest(), 5);
        Assert.Contains(listed.Groups, g => g.GroupId == "described" && g.GroupType == "consumer" && g.GroupState == "Stable" && g.ProtocolType == "consumer");
        Assert.Contains(listed.Groups, g => g.GroupId == "classic" && g.GroupType == "classic");
        ListGroupsResponse consumers = await client.SendAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest { TypesFilter = ["consumer"] }, 5);
        Assert.Equal(["described"], consumers.Groups.Select(g => g.GroupId));
    }

    [Fact]
    public async Task Commits_and_fetches_carry_the_member_epoch_and_a_stale_one_is_refused()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 2);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "offsets");
        var a = new ConsumerGroupMember(client, "offsets", "a-member");
        await a.JoinAsync(["t"]);

        Assert.Equal(ErrorCode.None, await CommitAsync(client, a.MemberId, a.Epoch, 9));
        Assert.Equal(ErrorCode.StaleMemberEpoch, await CommitAsync(client, a.MemberId, a.Epoch - 1, 9));
        Assert.Equal(ErrorCode.UnknownMemberId, await CommitAsync(client, "nobody", a.Epoch, 9));
        Assert.Equal(ErrorCode.UnsupportedVersion, await CommitAsync(client, a.MemberId, a.Epoch, 8));
        // Without a member epoch a commit is accepted only while the group is empty.
        Assert.Equal(ErrorCode.UnknownMemberId, await CommitAsync(client, "", -1, 9));

        Assert.Equal((ErrorCode.None, 42L), await FetchAsync(client, a.MemberId, a.Epoch));
        Assert.Equal(ErrorCode.StaleMemberEpoch, (await FetchAsync(client, a.MemberId, a.Epoch + 1)).Error);
        Assert.Equal((ErrorCode.None, 42L), await FetchAsync(client, null, -1));

        await a.LeaveAsync();
        Assert.Equal(ErrorCode.None, await CommitAsync(client, "", -1, 9));
    }

    private static async Task<ErrorCode> CommitAsync(KafkaTestClient client, string memberId, int epoch, short version)
    {
        OffsetCommitResponse response = await client.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = "offsets",
            MemberId = memberId,
            GenerationIdOrMemberEpoch = epoch,
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 42 }] }],
        }, version);
        return (ErrorCode)response.Topics.Single().Partitions.Single().ErrorCode;
    }

    private static async Task<(ErrorCode Error, long Offset)> FetchAsync(KafkaTestClient client, string? memberId, int epoch)
    {
        OffsetFetchResponse response = await client.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup
            {
                GroupId = "offsets",
                MemberId = memberId,
                MemberEpoch = epoch,
                Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = "t", PartitionIndexes = [0] }],
            }],
        }, 9);
        OffsetFetchResponse.OffsetFetchResponseGroup group = response.Groups.Single();
        return group.ErrorCode != 0 ? ((ErrorCode)group.ErrorCode, -1) : (ErrorCode.None, group.Topics.Single().Partitions.Single().CommittedOffset);
    }

    [Fact]
    public async Task DeleteGroups_and_OffsetDelete_refuse_while_members_consume_and_delete_once_the_group_is_empty()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 2);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "offsets");
        var a = new ConsumerGroupMember(client, "offsets", "a-member");
        await a.JoinAsync(["t"]);
        Assert.Equal(ErrorCode.None, await CommitAsync(client, a.MemberId, a.Epoch, 9));

        OffsetDeleteResponse inUse = await client.SendAsync<OffsetDeleteRequest, OffsetDeleteResponse>(new OffsetDeleteRequest
        {
            GroupId = "offsets",
            Topics = [new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = "t", Partitions = [new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = 0 }] }],
        }, 0);
        Assert.Equal((short)ErrorCode.GroupSubscribedToTopic, inUse.Topics.Single().Partitions.Single().ErrorCode);
        Assert.Equal((short)ErrorCode.NonEmptyGroup, await DeleteAsync(client));

        await a.LeaveAsync();
        Assert.Equal((short)ErrorCode.None, await DeleteAsync(client));
        Assert.Null(cluster.ConsumerGroup("offsets"));
        Assert.Equal((ErrorCode.None, -1L), await FetchAsync(client, null, -1));
        Assert.Equal((short)ErrorCode.GroupIdNotFound, await DeleteAsync(client));
    }

    private static async Task<short> DeleteAsync(KafkaTestClient client) =>
        (await client.SendAsync<DeleteGroupsRequest, DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["offsets"] }, 2)).Results.Single().ErrorCode;

    [Fact]
    public async Task A_group_id_is_classic_or_consumer_and_an_empty_group_changes_kind()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 2);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "kind");
        var a = new ConsumerGroupMember(client, "kind", "a-member");
        await a.JoinAsync(["t"]);

        // A classic member cannot join a consumer group with members.
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, (await GroupTests.JoinAsync(client, GroupTests.Join("kind", ""))).ErrorCode);

        // Once empty, a classic join turns it into a classic group...
        await a.LeaveAsync();
        JoinGroupResponse pending = await GroupTests.JoinAsync(client, GroupTests.Join("kind", ""));
        Assert.Equal((short)ErrorCode.MemberIdRequired, pending.ErrorCode);
        JoinGroupResponse joined = await GroupTests.JoinAsync(client, GroupTests.Join("kind", pending.MemberId));
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.Null(cluster.ConsumerGroup("kind"));

        // ...which a consumer-protocol member cannot join while it has members (Kafka: not a consumer group)...
        var b = new ConsumerGroupMember(client, "kind", "b-member");
        Assert.Equal((short)ErrorCode.GroupIdNotFound, (await b.JoinAsync(["t"])).ErrorCode);

        // ...and that becomes a consumer group again once empty.
        LeaveGroupResponse left = await client.SendAsync<LeaveGroupRequest, LeaveGroupResponse>(new LeaveGroupRequest
        {
            GroupId = "kind",
            Members = [new LeaveGroupRequest.MemberIdentity { MemberId = joined.MemberId }],
        }, 5);
        Assert.Equal((short)ErrorCode.None, left.ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await b.JoinAsync(["t"])).ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await DescribeAsync(client, "kind")).ErrorCode);
    }

    [Fact]
    public async Task A_coordinator_move_keeps_members_epochs_and_assignments()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 4);
        int first = cluster.CoordinatorOf("moving");
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "moving");
        var a = new ConsumerGroupMember(client, "moving", "a-member");
        var b = new ConsumerGroupMember(client, "moving", "b-member");
        await a.JoinAsync(["t"]);
        await b.JoinAsync(["t"]);
        await a.BeatAsync();   // revocation pending across the move

        int next = (first + 1) % 3;
        await cluster.MoveGroupCoordinatorAsync("moving", next);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await a.BeatAsync()).ErrorCode);

        await using KafkaTestClient moved = await KafkaTestClient.ConnectAsync(cluster, next);
        a.Client = b.Client = moved;
        ConsumerGroupHeartbeatResponse acked = await a.BeatAsync();
        Assert.Equal((short)ErrorCode.None, acked.ErrorCode);
        Assert.Equal(2, acked.MemberEpoch);
        await b.BeatAsync();
        Assert.Equal(2, b.Owned.Count);
        Assert.Empty(a.Owned.Intersect(b.Owned));
        Assert.Equal("Stable", (await DescribeAsync(moved, "moving")).GroupState);
        AssertNoDoubleOwnership(cluster, "moving");
    }
}
