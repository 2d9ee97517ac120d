namespace KafkaNative.Sim.Groups.Assignors;

/// <summary>What a server-side assignor knows about a member: its id, static instance, rack and the topics it subscribes to.</summary>
internal sealed record AssignorMember(string MemberId, string? InstanceId, string? RackId, IReadOnlySet<string> Topics);

/// <summary>A server-side partition assignor of consumer-protocol groups (KIP-848), chosen by the ServerAssignor field.</summary>
internal interface IServerAssignor
{
    /// <summary>The name members ask for.</summary>
    string Name { get; }

    /// <summary>
    /// Assigns the partitions of <paramref name="partitionCounts"/> (topic to partition count) to <paramref name="members"/>,
    /// each only partitions of topics it subscribes to, every partition to at most one member. <paramref name="previous"/> is
    /// the current target assignment, which a sticky assignor keeps where it can.
    /// </summary>
    Dictionary<string, HashSet<TopicAndPartition>> Assign(
        IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionCounts,
        IReadOnlyDictionary<string, HashSet<TopicAndPartition>> previous);
}

/// <summary>The assignors the Sim offers, as Kafka 4.0's group.consumer.assignors default: uniform (the default) and range.</summary>
internal static class ServerAssignors
{
    public static readonly IServerAssignor Uniform = new UniformAssignor();

    public static readonly IServerAssignor Range = new RangeAssignor();

    /// <summary>The assignor a group uses when no member names one (Kafka's first configured assignor).</summary>
    public static IServerAssignor Default => Uniform;

    public static IServerAssignor? Find(string name) => name switch
    {
        "uniform" => Uniform,
        "range" => Range,
        _ => null,
    };
}
