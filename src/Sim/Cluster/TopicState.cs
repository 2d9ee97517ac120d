namespace KafkaNative.Sim;

/// <summary>The controller's record of a topic. Mutated only under the controller's lock.</summary>
internal sealed class TopicState(string name, Guid id, TopicConfig config)
{
    public string Name { get; } = name;

    public Guid Id { get; } = id;

    /// <summary>Replaced (never changed in place) when IncrementalAlterConfigs changes it.</summary>
    public TopicConfig Config { get; set; } = config;

    public List<SimulatedPartition> Partitions { get; } = new();
}

/// <summary>The controller's record of a partition: replicas, leader, in-sync replicas and epochs.</summary>
internal sealed class SimulatedPartition(int index, int[] replicas)
{
    public int Index { get; } = index;

    public int[] Replicas { get; } = replicas;

    public List<int> Isr { get; } = replicas.ToList();

    /// <summary>Leading broker, or -1 while every in-sync replica is down.</summary>
    public int Leader { get; set; } = replicas[0];

    /// <summary>Bumped on every leader change; fences stale leaders and clients.</summary>
    public int LeaderEpoch { get; set; }

    /// <summary>Bumped on every change, ISR included, so brokers can ignore stale updates.</summary>
    public int PartitionEpoch { get; set; }
}

/// <summary>An immutable copy of a topic for responses built outside the controller's lock.</summary>
internal sealed record TopicSnapshot(string Name, Guid Id, TopicConfig Config, IReadOnlyList<PartitionSnapshot> Partitions);

/// <summary>An immutable copy of a partition's state.</summary>
internal sealed record PartitionSnapshot(int Index, int Leader, int LeaderEpoch, int[] Replicas, int[] Isr);

/// <summary>A broker as the controller sees it.</summary>
internal sealed record BrokerInfo(int Id, string Rack, string Host, int Port);
