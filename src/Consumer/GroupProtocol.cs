namespace KafkaNative;

/// <summary>How a consumer group is run (<c>group.protocol</c>).</summary>
public enum GroupProtocol
{
    /// <summary>
    /// The classic protocol (JoinGroup/SyncGroup/Heartbeat): the group's leader member runs the
    /// <see cref="ConsumerOptions.AssignmentStrategies"/>. Works with every Kafka version; the default.
    /// </summary>
    Classic,

    /// <summary>
    /// The consumer protocol of KIP-848 (Kafka 4.0+): members heartbeat their subscription and owned partitions
    /// (ConsumerGroupHeartbeat), the coordinator computes the assignment with a server-side assignor
    /// (<see cref="ConsumerOptions.GroupRemoteAssignor"/>) and moves partitions one at a time, without stopping
    /// the group.
    /// </summary>
    Consumer,
}
