namespace KafkaNative.Protocol;

/// <summary>
/// The special values Kafka's wire format uses for "none" or "look this up", named so code reads
/// as what it means instead of as -1 and -2.
/// </summary>
public static class Sentinels
{
    /// <summary>An offset field with no offset: nothing committed, or a failed delivery.</summary>
    public const long NoOffset = -1;

    /// <summary>ListOffsets timestamp that asks for the log end offset (the next offset to be written).</summary>
    public const long LatestTimestamp = -1;

    /// <summary>ListOffsets timestamp that asks for the log start offset.</summary>
    public const long EarliestTimestamp = -2;

    /// <summary>ListOffsets timestamp that asks for the offset of the record with the highest timestamp (v7+).</summary>
    public const long MaxTimestamp = -3;

    /// <summary>A timestamp field with no timestamp.</summary>
    public const long NoTimestamp = -1;

    /// <summary>A node id field with no node: no leader, no controller.</summary>
    public const int NoNode = -1;

    /// <summary>The replica id a client (not a follower broker) sends in Fetch and ListOffsets.</summary>
    public const int ClientReplicaId = -1;

    /// <summary>No producer id: a producer that is not idempotent, or asks for a new id.</summary>
    public const long NoProducerId = -1;

    /// <summary>No producer epoch.</summary>
    public const short NoProducerEpoch = -1;

    /// <summary>No sequence number: a batch from a producer that is not idempotent.</summary>
    public const int NoSequence = -1;

    /// <summary>No leader epoch known.</summary>
    public const int NoLeaderEpoch = -1;

    /// <summary>No group generation: a member that has not joined.</summary>
    public const int NoGeneration = -1;

    /// <summary>Partition count or replication factor in CreateTopics that means "the broker's default".</summary>
    public const int BrokerDefault = -1;
}
