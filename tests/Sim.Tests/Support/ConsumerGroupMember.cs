using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Tests.Support;

/// <summary>
/// A consumer-protocol member (KIP-848) driven by hand over the wire: it remembers its id, epoch and the partitions the
/// last response assigned it, and by default reports them as owned in its next heartbeat, as a member that revokes at
/// once does. Tests decide when it heartbeats, so they control the order of revocations and acknowledgements.
/// </summary>
internal sealed class ConsumerGroupMember(KafkaTestClient client, string group, string memberId, short version = 1)
{
    public const int RebalanceTimeoutMs = 30_000;

    public string MemberId { get; private set; } = memberId;

    public int Epoch { get; private set; }

    /// <summary>The partitions the coordinator last assigned, by topic id.</summary>
    public List<(Guid Topic, int Partition)> Owned { get; private set; } = [];

    public ConsumerGroupHeartbeatResponse? Last { get; private set; }

    public KafkaTestClient Client { get; set; } = client;

    public static ConsumerGroupHeartbeatRequest JoinRequest(string group, string memberId, IEnumerable<string>? topics = null, string? regex = null,
        string? assignor = null, string? instanceId = null, string? rackId = null) => new()
    {
        GroupId = group,
        MemberId = memberId,
        MemberEpoch = 0,
        InstanceId = instanceId,
        RackId = rackId,
        RebalanceTimeoutMs = RebalanceTimeoutMs,
        SubscribedTopicNames = topics?.ToList(),
        SubscribedTopicRegex = regex,
        ServerAssignor = assignor,
        TopicPartitions = [],
    };

    public Task<ConsumerGroupHeartbeatResponse> SendAsync(ConsumerGroupHeartbeatRequest request) =>
        Client.SendAsync<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>(request, version);

    /// <summary>Joins (epoch 0) and remembers the answer; asserts no error.</summary>
    public async Task<ConsumerGroupHeartbeatResponse> JoinAsync(IEnumerable<string>? topics = null, string? regex = null, string? assignor = null, string? instanceId = null) =>
        Remember(await SendAsync(JoinRequest(group, MemberId, topics, regex, assignor, instanceId)));

    /// <summary>A regular heartbeat at the current epoch reporting <see cref="Owned"/> (or <paramref name="owned"/>); remembers the answer when it is not an error.</summary>
    public async Task<ConsumerGroupHeartbeatResponse> BeatAsync(IEnumerable<(Guid Topic, int Partition)>? owned = null, int? epoch = null, string? instanceId = null) =>
        Remember(await SendAsync(new ConsumerGroupHeartbeatRequest
        {
            GroupId = group,
            MemberId = MemberId,
            MemberEpoch = epoch ?? Epoch,
            InstanceId = instanceId,
            TopicPartitions = (owned ?? Owned).GroupBy(p => p.Topic)
                .Select(g => new ConsumerGroupHeartbeatRequest.TopicPartitionsData { TopicId = g.Key, Partitions = g.Select(p => p.Partition).Order().ToList() }).ToList(),
        }));

    /// <summary>Leaves with epoch -1, or -2 for a static member's temporary leave.</summary>
    public Task<ConsumerGroupHeartbeatResponse> LeaveAsync(string? instanceId = null) => SendAsync(new ConsumerGroupHeartbeatRequest
    {
        GroupId = group,
        MemberId = MemberId,
        MemberEpoch = instanceId is null ? -1 : -2,
        InstanceId = instanceId,
    });

    /// <summary>Partition numbers owned, in order (a single topic, or all topics mixed).</summary>
    public List<int> Partitions => Owned.Select(p => p.Partition).Order().ToList();

    private ConsumerGroupHeartbeatResponse Remember(ConsumerGroupHeartbeatResponse response)
    {
        Last = response;
        if (response.ErrorCode != (short)ErrorCode.None) return response;
        if (response.MemberId is { Length: > 0 } id) MemberId = id;
        Epoch = response.MemberEpoch;
        if (response.Assignment is { } assignment)
            Owned = assignment.TopicPartitions.SelectMany(t => t.Partitions.Select(p => (t.TopicId, p))).ToList();
        return response;
    }
}

/// <summary>Requests around consumer-protocol groups: finding the coordinator, describing, topic ids.</summary>
internal static class ConsumerGroups
{
    public static async Task<KafkaTestClient> CoordinatorAsync(SimulatedCluster cluster, string group)
    {
        await using KafkaTestClient any = await KafkaTestClient.ConnectAsync(cluster, 0);
        FindCoordinatorResponse found = await any.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = group }, 3);
        Assert.Equal((short)ErrorCode.None, found.ErrorCode);
        return await KafkaTestClient.ConnectAsync(cluster, found.NodeId);
    }

    public static async Task<ConsumerGroupDescribeResponse.DescribedGroup> DescribeAsync(KafkaTestClient client, string group) =>
        (await client.SendAsync<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>(new ConsumerGroupDescribeRequest { GroupIds = [group] }, 0)).Groups.Single();

    public static async Task<Guid> TopicIdAsync(KafkaTestClient client, string topic)
    {
        MetadataResponse metadata = await client.SendAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] }, 12);
        return metadata.Topics.Single().TopicId;
    }

    /// <summary>Asserts the coordinator never saw a partition owned by two members in <paramref name="group"/>.</summary>
    public static void AssertNoDoubleOwnership(SimulatedCluster cluster, string group)
    {
        ConsumerGroupView view = cluster.ConsumerGroup(group)!;
        Assert.False(view.HasDoubleOwnership, view.FirstDoubleOwnership);
    }
}
