namespace KafkaNative.Sim.Groups;

/// <summary>Where a consumer-protocol member stands in reconciling its assignment with its target (Kafka's MemberState).</summary>
internal enum MemberReconciliation
{
    /// <summary>The member owns what the coordinator gave it, at the target epoch (or there is nothing more it may take yet).</summary>
    Stable,

    /// <summary>The member must revoke partitions first; it stays at its epoch until a heartbeat no longer lists them.</summary>
    UnrevokedPartitions,

    /// <summary>The member is at the target epoch but waits for partitions other members have not released yet.</summary>
    UnreleasedPartitions,
}

/// <summary>
/// A member of a consumer-protocol group (KIP-848): its subscription as its heartbeats last stated it, its member
/// epoch, the partitions the coordinator has handed it (<see cref="Assigned"/>) and those it must still give back
/// (<see cref="Revoking"/>). From the coordinator's view the member owns both sets until a heartbeat acknowledges the revocation.
/// </summary>
internal sealed class ConsumerProtocolMember(string memberId)
{
    public string MemberId { get; } = memberId;

    public string? InstanceId { get; set; }

    public string? RackId { get; set; }

    public string ClientId { get; set; } = "";

    public string ClientHost { get; set; } = "";

    public int RebalanceTimeoutMs { get; set; } = 300_000;

    public List<string> SubscribedTopicNames { get; set; } = [];

    public string? SubscribedTopicRegex { get; set; }

    public string? ServerAssignor { get; set; }

    /// <summary>The member epoch: 0 before its first assignment; -2 while a static member is temporarily away.</summary>
    public int MemberEpoch { get; set; }

    /// <summary>The epoch before the last bump: a heartbeat with it is still accepted (its response may have been lost).</summary>
    public int PreviousMemberEpoch { get; set; } = -1;

    public MemberReconciliation State { get; set; } = MemberReconciliation.Stable;

    public HashSet<TopicAndPartition> Assigned { get; set; } = [];

    public HashSet<TopicAndPartition> Revoking { get; set; } = [];

    /// <summary>When the member expires without a heartbeat (group.consumer.session.timeout.ms).</summary>
    public long SessionDeadline { get; set; }

    /// <summary>When a member that has not revoked its partitions is fenced (its rebalance timeout); <see cref="long.MaxValue"/> when nothing is pending.</summary>
    public long RevocationDeadline { get; set; } = long.MaxValue;

    /// <summary>Every partition the member owns from the coordinator's view: assigned or still being revoked.</summary>
    public IEnumerable<TopicAndPartition> Owned => Assigned.Concat(Revoking);

    /// <summary>A static member that left with epoch -2: its partitions stay its own until it returns or its session ends.</summary>
    public bool IsTemporarilyAway => MemberEpoch == ConsumerProtocolGroup.LeaveStaticMemberEpoch;
}
