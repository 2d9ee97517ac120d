using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using static KafkaNative.Sim.Tests.Support.ConsumerGroups;

namespace KafkaNative.Sim.Tests;

/// <summary>The Sim's consumer-protocol groups (KIP-848) at the wire: joining, assignors, reconciliation, fencing, leaving, static members, regexes.</summary>
public sealed class ConsumerProtocolGroupTests
{
    private static ConsumerGroupMember Member(KafkaTestClient client, string group, string name) => new(client, group, $"{name}-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_member_joins_with_its_own_id_and_gets_every_partition_the_epoch_and_the_heartbeat_interval()
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { ConsumerGroupHeartbeatIntervalMs = 1234 });
        await cluster.CreateTopicAsync("t", 4);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "join");
        var a = Member(client, "join", "a");

        ConsumerGroupHeartbeatResponse joined = await a.JoinAsync(["t"]);

        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.Equal(a.MemberId, joined.MemberId);
        Assert.Equal(1, joined.MemberEpoch);
        Assert.Equal(1234, joined.HeartbeatIntervalMs);
        Assert.Equal([0, 1, 2, 3], a.Partitions);
        Assert.Equal(await TopicIdAsync(client, "t"), Assert.Single(joined.Assignment!.TopicPartitions).TopicId);
        // Nothing changed: a heartbeat without owned partitions gets no assignment, only the epoch.
        ConsumerGroupHeartbeatResponse quiet = await a.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = "join", MemberId = a.MemberId, MemberEpoch = 1 });
        Assert.Equal(1, quiet.MemberEpoch);
        Assert.Null(quiet.Assignment);
    }

    [Fact]
    public async Task Version_0_lets_the_coordinator_choose_the_member_id_and_version_1_requires_the_clients()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 2);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "ids");
        var v0 = new ConsumerGroupMember(client, "ids", "", version: 0);
        ConsumerGroupHeartbeatResponse joined = await v0.JoinAsync(["t"]);
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.False(string.IsNullOrEmpty(joined.MemberId));

        var v1 = new ConsumerGroupMember(client, "ids", "");
        Assert.Equal((short)ErrorCode.InvalidRequest, (await v1.JoinAsync(["t"])).ErrorCode);
    }

    [Fact]
    public async Task Invalid_joins_and_unknown_assignors_are_refused_as_kafka_refuses_them()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 2);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "bad");
        var a = Member(client, "bad", "a");
        Assert.Equal((short)ErrorCode.InvalidRequest, (await a.SendAsync(ConsumerGroupMember.JoinRequest("bad", a.MemberId))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, (await a.SendAsync(ConsumerGroupMember.JoinRequest("bad", a.MemberId, regex: "orders-("))).ErrorCode);
        Assert.Equal((short)ErrorCode.UnsupportedAssignor, (await a.JoinAsync(["t"], assignor: "sticky")).ErrorCode);
        ConsumerGroupHeartbeatRequest owning = ConsumerGroupMember.JoinRequest("bad", a.MemberId, ["t"]);
        owning.TopicPartitions = [new ConsumerGroupHeartbeatRequest.TopicPartitionsData { TopicId = Guid.NewGuid(), Partitions = [0] }];
        Assert.Equal((short)ErrorCode.InvalidRequest, (await a.SendAsync(owning)).ErrorCode);
        ConsumerGroupHeartbeatRequest noTimeout = ConsumerGroupMember.JoinRequest("bad", a.MemberId, ["t"]);
        noTimeout.RebalanceTimeoutMs = -1;
        Assert.Equal((short)ErrorCode.InvalidRequest, (await a.SendAsync(noTimeout)).ErrorCode);
        // A temporary leave (-2) needs the instance id.
        Assert.Equal((short)ErrorCode.InvalidRequest, (await a.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = "bad", MemberId = a.MemberId, MemberEpoch = -2 })).ErrorCode);
    }

    [Fact]
    public async Task The_uniform_assignor_balances_and_the_range_assignor_gives_co_partitioned_ranges()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("x", 4);
        await cluster.CreateTopicAsync("y", 4);
        foreach (string assignor in new[] { "uniform", "range" })
        {
            string group = $"assign-{assignor}";
            await using KafkaTestClient client = await CoordinatorAsync(cluster, group);
            var a = new ConsumerGroupMember(client, group, "a-member");
            var b = new ConsumerGroupMember(client, group, "b-member");
            await a.JoinAsync(["x", "y"], assignor: assignor);
            await b.JoinAsync(["x", "y"], assignor: assignor);
            // a revokes what the new target takes away; b then takes it.
            await a.BeatAsync();
            await a.BeatAsync();
            await b.BeatAsync();
            Assert.Equal(4, a.Owned.Count);
            Assert.Equal(4, b.Owned.Count);
            Assert.Empty(a.Owned.Intersect(b.Owned));
            Assert.Equal(assignor, (await DescribeAsync(client, group)).AssignorName);
            if (assignor == "range")
            {
                // Per topic, a (first by member id) gets 0-1 and b 2-3: the same numbers on both topics.
                Assert.Equal([0, 0, 1, 1], a.Partitions);
                Assert.Equal([2, 2, 3, 3], b.Partitions);
            }
            Assert.Equal("Stable", cluster.ConsumerGroup(group)!.State);
            AssertNoDoubleOwnership(cluster, group);
        }
    }

    [Fact]
    public async Task A_partition_moves_only_after_its_owner_acknowledged_the_revocation()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 4);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "order");
        var a = new ConsumerGroupMember(client, "order", "a-member");
        var b = new ConsumerGroupMember(client, "order", "b-member");
        await a.JoinAsync(["t"]);
        Assert.Equal([0, 1, 2, 3], a.Partitions);

        // b joins: the target splits the partitions, but a still owns them all, so b gets none yet (at the new epoch).
        ConsumerGroupHeartbeatResponse bJoined = await b.JoinAsync(["t"]);
        Assert.Equal(2, bJoined.MemberEpoch);
        Assert.Empty(b.Owned);
        Assert.Equal(2, cluster.ConsumerGroup("order")!.Targets[b.MemberId].Count);

        // a learns it must give two back; it stays at epoch 1 until it acknowledges.
        var everything = a.Owned.ToList();
        ConsumerGroupHeartbeatResponse revoke = await a.BeatAsync(everything);
        Assert.Equal(1, revoke.MemberEpoch);
        Assert.Equal(2, a.Owned.Count);
        var taken = everything.Except(a.Owned).ToList();

        // Until then b still gets nothing, and the coordinator counts the revoked partitions as a's.
        Assert.Empty((await b.BeatAsync()).Assignment?.TopicPartitions ?? []);
        Assert.All(taken, p => Assert.Equal([a.MemberId], cluster.ConsumerGroup("order")!.Owners[("t", p.Partition)]));
        // A heartbeat that still lists them (or lists nothing) does not release them.
        await a.BeatAsync(everything, epoch: 1);
        Assert.Equal(1, a.Epoch);
        Assert.Empty((await b.BeatAsync()).Assignment?.TopicPartitions ?? []);

        // a acknowledges: it reaches epoch 2, and b's next heartbeat gets the released partitions.
        ConsumerGroupHeartbeatResponse acked = await a.BeatAsync(everything.Except(taken));
        Assert.Equal(2, acked.MemberEpoch);
        await b.BeatAsync();
        Assert.Equal(taken.Select(p => p.Partition).Order(), b.Partitions);
        Assert.Equal("Stable", cluster.ConsumerGroup("order")!.State);
        AssertNoDoubleOwnership(cluster, "order");
    }

    [Fact]
    public async Task Epochs_ahead_or_behind_are_fenced_unknown_members_are_told_so_and_a_fenced_member_rejoins_with_epoch_0()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 2);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "fence");
        var a = new ConsumerGroupMember(client, "fence", "a-member");
        var b = new ConsumerGroupMember(client, "fence", "b-member");
        await a.JoinAsync(["t"]);
        await b.JoinAsync(["t"]);
        await a.BeatAsync();
        await a.BeatAsync();
        await b.BeatAsync();
        Assert.Equal(2, a.Epoch);

        Assert.Equal((short)ErrorCode.FencedMemberEpoch, (await a.BeatAsync(epoch: 3)).ErrorCode);
        // The previous epoch is accepted while the partitions reported are among those assigned (a lost response)...
        Assert.Equal((short)ErrorCode.None, (await a.BeatAsync(epoch: 1)).ErrorCode);
        // ...not when it reports partitions it was not assigned.
        Guid topic = await TopicIdAsync(client, "t");
        Assert.Equal((short)ErrorCode.FencedMemberEpoch, (await a.BeatAsync(owned: [(topic, 0), (topic, 1)], epoch: 1)).ErrorCode);
        var stranger = new ConsumerGroupMember(client, "fence", "nobody");
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await stranger.BeatAsync(epoch: 1)).ErrorCode);
        await using KafkaTestClient elsewhere = await CoordinatorAsync(cluster, "no-such-group");
        var lost = new ConsumerGroupMember(elsewhere, "no-such-group", "nobody");
        Assert.Equal((short)ErrorCode.GroupIdNotFound, (await lost.BeatAsync(epoch: 1)).ErrorCode);

        // A fenced member joins again with its id and epoch 0, unchecked, and gets its current state back (KAFKA-19233).
        ConsumerGroupHeartbeatResponse rejoined = await a.JoinAsync(["t"]);
        Assert.Equal((short)ErrorCode.None, rejoined.ErrorCode);
        Assert.Equal(2, rejoined.MemberEpoch);
        Assert.Single(a.Owned);
        AssertNoDoubleOwnership(cluster, "fence");
    }

    [Fact]
    public async Task A_member_that_leaves_frees_its_partitions_for_the_others()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 4);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "leave");
        var a = new ConsumerGroupMember(client, "leave", "a-member");
        var b = new ConsumerGroupMember(client, "leave", "b-member");
        await a.JoinAsync(["t"]);
        await b.JoinAsync(["t"]);
        await a.BeatAsync();
        await a.BeatAsync();
        await b.BeatAsync();

        ConsumerGroupHeartbeatResponse left = await a.LeaveAsync();
        Assert.Equal((short)ErrorCode.None, left.ErrorCode);
        Assert.Equal(-1, left.MemberEpoch);
        await b.BeatAsync();
        Assert.Equal([0, 1, 2, 3], b.Partitions);
        Assert.Equal(3, b.Epoch);
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await a.LeaveAsync()).ErrorCode);
        AssertNoDoubleOwnership(cluster, "leave");
    }

    [Fact]
    public async Task A_static_member_keeps_its_partitions_while_away_and_takes_them_back_with_a_new_member_id()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("t", 4);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "static");
        var a = new ConsumerGroupMember(client, "static", "a-member");
        var b = new ConsumerGroupMember(client, "static", "b-member");
        await a.JoinAsync(["t"], instanceId: "instance-a");
        await b.JoinAsync(["t"]);
        await a.BeatAsync(instanceId: "instance-a");
        await a.BeatAsync(instanceId: "instance-a");
        await b.BeatAsync();
        List<int> aPartitions = a.Partitions;
        int epoch = cluster.ConsumerGroup("static")!.GroupEpoch;

        // Another process with the same instance id cannot join while the instance is in use.
        var impostor = new ConsumerGroupMember(client, "static", "impostor");
        Assert.Equal((short)ErrorCode.UnreleasedInstanceId, (await impostor.JoinAsync(["t"], instanceId: "instance-a")).ErrorCode);

        // The instance leaves for a while (-2): nothing is reassigned, the group epoch stays.
        ConsumerGroupHeartbeatResponse away = await a.LeaveAsync(instanceId: "instance-a");
        Assert.Equal(-2, away.MemberEpoch);
        await b.BeatAsync();
        Assert.Equal(2, b.Owned.Count);
        Assert.Equal(epoch, cluster.ConsumerGroup("static")!.GroupEpoch);

        // It comes back with a new member id and gets its partitions at once, still without a new group epoch.
        var restarted = new ConsumerGroupMember(client, "static", "a-restarted");
        ConsumerGroupHeartbeatResponse back = await restarted.JoinAsync(["t"], instanceId: "instance-a");
        Assert.Equal((short)ErrorCode.None, back.ErrorCode);
        Assert.Equal(aPartitions, restarted.Partitions);
        Assert.Equal(epoch, back.MemberEpoch);
        Assert.Equal(epoch, cluster.ConsumerGroup("static")!.GroupEpoch);
        // The old member id is fenced.
        Assert.Equal((short)ErrorCode.FencedInstanceId, (await a.BeatAsync(instanceId: "instance-a")).ErrorCode);
        AssertNoDoubleOwnership(cluster, "static");
    }

    [Fact]
    public async Task A_regex_subscription_matches_whole_topic_names_and_follows_new_topics()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("orders-eu", 2);
        await cluster.CreateTopicAsync("orders-us", 2);
        await cluster.CreateTopicAsync("payments", 2);
        await cluster.CreateTopicAsync("old-orders-eu", 2);
        await using KafkaTestClient client = await CoordinatorAsync(cluster, "regex");
        var a = new ConsumerGroupMember(client, "regex", "a-member");
        await a.JoinAsync(regex: "orders-.*");
        Assert.Equal(4, a.Owned.Count);
        Guid eu = await TopicIdAsync(client, "orders-eu"), us = await TopicIdAsync(client, "orders-us");
        Assert.All(a.Owned, p => Assert.Contains(p.Topic, new[] { eu, us }));
        Assert.Equal("orders-.*", (await DescribeAsync(client, "regex")).Members.Single().SubscribedTopicRegex);

        int epoch = a.Epoch;
        await cluster.CreateTopicAsync("orders-asia", 3);
        await Eventually.TrueAsync(() => cluster.ConsumerGroup("regex")!.GroupEpoch > epoch, "a new matching topic to bump the group epoch");
        await a.BeatAsync();
        Assert.Equal(7, a.Owned.Count);
    }
}
