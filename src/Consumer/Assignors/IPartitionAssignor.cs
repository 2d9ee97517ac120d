namespace KafkaNative.Consumer.Assignors;

/// <summary>A group member as the leader's assignor sees it.</summary>
/// <param name="MemberId">The member id the coordinator gave it.</param>
/// <param name="GroupInstanceId">Its static id, if any.</param>
/// <param name="Topics">The topics it subscribes to.</param>
/// <param name="OwnedPartitions">Partitions it owns now (cooperative protocol; empty for eager members).</param>
/// <param name="Generation">The generation its owned partitions come from, or -1.</param>
internal sealed record GroupMemberSubscription(string MemberId, string? GroupInstanceId, IReadOnlyList<string> Topics, IReadOnlyList<TopicPartition> OwnedPartitions, int Generation = -1)
{
    /// <summary>The key members are sorted by: the static id when there is one (as the Java client), else the member id.</summary>
    public string SortKey => GroupInstanceId ?? MemberId;
}

/// <summary>Divides partitions among group members; runs on the group leader.</summary>
internal interface IPartitionAssignor
{
    /// <summary>The protocol name in JoinGroup (shared with Java and librdkafka).</summary>
    string Name { get; }

    /// <summary>True for the cooperative (incremental) rebalance protocol.</summary>
    bool IsCooperative { get; }

    /// <summary>Assigns partitions.</summary>
    /// <param name="partitionsPerTopic">Partition count of every subscribed topic that exists.</param>
    /// <param name="members">The members and their subscriptions.</param>
    /// <returns>Every member's partitions (every member present, possibly with none), sorted.</returns>
    Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMemberSubscription> members);
}

/// <summary>Builds assignors from <see cref="PartitionAssignmentStrategy"/>.</summary>
internal static class PartitionAssignors
{
    public static IPartitionAssignor Create(PartitionAssignmentStrategy strategy) => strategy switch
    {
        PartitionAssignmentStrategy.Range => new RangeAssignor(),
        PartitionAssignmentStrategy.RoundRobin => new RoundRobinAssignor(),
        PartitionAssignmentStrategy.CooperativeSticky => new CooperativeStickyAssignor(),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown assignment strategy."),
    };

    internal static Dictionary<string, List<TopicPartition>> Empty(IReadOnlyList<GroupMemberSubscription> members)
    {
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (GroupMemberSubscription member in members) result[member.MemberId] = [];
        return result;
    }

    internal static IEnumerable<GroupMemberSubscription> Sorted(IEnumerable<GroupMemberSubscription> members) =>
        members.OrderBy(m => m.SortKey, StringComparer.Ordinal).ThenBy(m => m.MemberId, StringComparer.Ordinal);
}
