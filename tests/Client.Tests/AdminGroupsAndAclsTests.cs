using KafkaNative.Admin;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using ClusterOptions = KafkaNative.Sim.ClusterOptions;
using SimulatedCluster = KafkaNative.Sim.SimulatedCluster;

namespace KafkaNative.Client.Tests;

/// <summary>The admin client's group-offset, group-deletion and ACL calls against the in-process simulated cluster, errors included.</summary>
public sealed class AdminGroupsAndAclsTests : IAsyncLifetime
{
    private SimulatedCluster _sim = null!;
    private KafkaAdminClient _admin = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
        await _sim.CreateTopicAsync("orders", 3, 2);
        await _sim.CreateTopicAsync("audit", 2, 2);
        _admin = new KafkaAdminClient(TestOptions.For(_sim.BootstrapServers));
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task Offsets_of_an_empty_group_are_altered_listed_and_deleted()
    {
        await _admin.AlterConsumerGroupOffsetsAsync("reader", new Dictionary<TopicPartition, OffsetAndMetadata>
        {
            [new("orders", 0)] = new(5, "note"),
            [new("orders", 2)] = new(7),
        });

        IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> all = await _admin.ListConsumerGroupOffsetsAsync("reader");
        Assert.Equal(2, all.Count);
        Assert.Equal(new OffsetAndMetadata(5, "note"), all[new("orders", 0)]);
        Assert.Equal(7, all[new("orders", 2)].Offset);
        IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> some = await _admin.ListConsumerGroupOffsetsAsync("reader", [new("orders", 2), new("orders", 1)]);
        Assert.Equal([new TopicPartition("orders", 2)], some.Keys);

        await _admin.DeleteConsumerGroupOffsetsAsync("reader", [new("orders", 0)]);
        Assert.Equal([new TopicPartition("orders", 2)], (await _admin.ListConsumerGroupOffsetsAsync("reader")).Keys);
    }

    [Fact]
    public async Task Altering_offsets_of_a_group_with_a_live_member_fails_clearly()
    {
        await using var cluster = new KafkaCluster(TestOptions.For(_sim.BootstrapServers));
        await GroupMemberScript.JoinAsync(cluster, "busy", "orders");

        var refused = await Assert.ThrowsAsync<KafkaErrorException>(() =>
            _admin.AlterConsumerGroupOffsetsAsync("busy", new Dictionary<TopicPartition, OffsetAndMetadata> { [new("orders", 0)] = new(0) }));
        Assert.Equal(ErrorCode.UnknownMemberId, refused.ErrorCode);
        Assert.Contains("active members", refused.Message);
    }

    [Fact]
    public async Task Deleting_groups_follows_kafka_non_empty_group_and_group_id_not_found()
    {
        await using var cluster = new KafkaCluster(TestOptions.For(_sim.BootstrapServers));
        await GroupMemberScript.JoinAsync(cluster, "live", "orders");
        var nonEmpty = await Assert.ThrowsAsync<KafkaErrorException>(() => _admin.DeleteGroupsAsync(["live"]));
        Assert.Equal(ErrorCode.NonEmptyGroup, nonEmpty.ErrorCode);

        var missing = await Assert.ThrowsAsync<KafkaErrorException>(() => _admin.DeleteGroupsAsync(["never-existed"]));
        Assert.Equal(ErrorCode.GroupIdNotFound, missing.ErrorCode);

        await _admin.AlterConsumerGroupOffsetsAsync("idle", new Dictionary<TopicPartition, OffsetAndMetadata> { [new("orders", 1)] = new(3) });
        await _admin.DeleteGroupsAsync(["idle"]);
        Assert.Empty(await _admin.ListConsumerGroupOffsetsAsync("idle"));
        Assert.DoesNotContain(await _admin.ListGroupsAsync(), g => g.GroupId == "idle");
    }

    [Fact]
    public async Task Offsets_of_a_topic_the_members_consume_cannot_be_deleted_but_other_topics_can()
    {
        await _admin.AlterConsumerGroupOffsetsAsync("mixed", new Dictionary<TopicPartition, OffsetAndMetadata>
        {
            [new("orders", 0)] = new(1),
            [new("audit", 0)] = new(2),
        });
        await using var cluster = new KafkaCluster(TestOptions.For(_sim.BootstrapServers));
        await GroupMemberScript.JoinAsync(cluster, "mixed", "orders");

        var subscribed = await Assert.ThrowsAsync<KafkaErrorException>(() => _admin.DeleteConsumerGroupOffsetsAsync("mixed", [new("orders", 0)]));
        Assert.Equal(ErrorCode.GroupSubscribedToTopic, subscribed.ErrorCode);
        await _admin.DeleteConsumerGroupOffsetsAsync("mixed", [new("audit", 0)]);
        Assert.Equal([new TopicPartition("orders", 0)], (await _admin.ListConsumerGroupOffsetsAsync("mixed")).Keys);

        var unknown = await Assert.ThrowsAsync<KafkaErrorException>(() => _admin.DeleteConsumerGroupOffsetsAsync("nobody", [new("orders", 0)]));
        Assert.Equal(ErrorCode.GroupIdNotFound, unknown.ErrorCode);
    }

    [Fact]
    public async Task Acls_are_created_described_with_filters_and_deleted()
    {
        AclBinding readOrders = new(AclResourceType.Topic, "orders", AclPatternType.Literal, "User:alice", "*", AclOperation.Read, AclPermissionType.Allow);
        AclBinding writePrefix = new(AclResourceType.Topic, "ord", AclPatternType.Prefixed, "User:bob", "*", AclOperation.Write, AclPermissionType.Allow);
        AclBinding allTopics = new(AclResourceType.Topic, "*", AclPatternType.Literal, "User:ops", "*", AclOperation.Describe, AclPermissionType.Allow);
        AclBinding denyGroup = new(AclResourceType.Group, "orders", AclPatternType.Literal, "User:mallory", "10.0.0.1", AclOperation.Read, AclPermissionType.Deny);
        await _admin.CreateAclsAsync([readOrders, writePrefix, allTopics, denyGroup, readOrders]);

        Assert.Equal(4, (await _admin.DescribeAclsAsync(AclBindingFilter.Any)).Count);
        // MATCH: every binding that applies to topic "orders" (its literal one, the wildcard and the prefix).
        var applying = await _admin.DescribeAclsAsync(new AclBindingFilter(AclResourceType.Topic, "orders", AclPatternType.Match));
        Assert.Equal(new[] { readOrders, writePrefix, allTopics }.ToHashSet(), applying.ToHashSet());
        // ANY with a name: exactly that name, whatever the pattern type or resource type.
        Assert.Equal(new[] { readOrders, denyGroup }.ToHashSet(), (await _admin.DescribeAclsAsync(new AclBindingFilter(ResourceName: "orders"))).ToHashSet());
        Assert.Equal([writePrefix], await _admin.DescribeAclsAsync(new AclBindingFilter(PatternType: AclPatternType.Prefixed)));
        Assert.Equal([denyGroup], await _admin.DescribeAclsAsync(new AclBindingFilter(Permission: AclPermissionType.Deny, Host: "10.0.0.1")));

        var invalid = await Assert.ThrowsAsync<KafkaErrorException>(() =>
            _admin.CreateAclsAsync([readOrders with { PatternType = AclPatternType.Match }]));
        Assert.Equal(ErrorCode.InvalidRequest, invalid.ErrorCode);
        var badPrincipal = await Assert.ThrowsAsync<KafkaErrorException>(() => _admin.CreateAclsAsync([readOrders with { Principal = "alice" }]));
        Assert.Equal(ErrorCode.InvalidRequest, badPrincipal.ErrorCode);

        IReadOnlyList<AclBinding> deleted = await _admin.DeleteAclsAsync([new AclBindingFilter(AclResourceType.Topic, "orders", AclPatternType.Match, Operation: AclOperation.Write)]);
        Assert.Equal([writePrefix], deleted);
        Assert.Equal(3, (await _admin.DeleteAclsAsync([AclBindingFilter.Any])).Count);
        Assert.Empty(await _admin.DescribeAclsAsync(AclBindingFilter.Any));
    }
}
