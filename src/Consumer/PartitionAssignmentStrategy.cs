namespace KafkaNative;

/// <summary>How a group's leader divides partitions among members (the protocol names Java and librdkafka use).</summary>
public enum PartitionAssignmentStrategy
{
    /// <summary><c>range</c>: each topic's partitions split into contiguous ranges, members sorted by id.</summary>
    Range,

    /// <summary><c>roundrobin</c>: all partitions dealt out one by one over the members.</summary>
    RoundRobin,

    /// <summary>
    /// <c>cooperative-sticky</c>: balanced, keeps partitions where they are, and moves them with the
    /// incremental (cooperative) protocol so members keep consuming what they keep during a rebalance.
    /// </summary>
    CooperativeSticky,
}
