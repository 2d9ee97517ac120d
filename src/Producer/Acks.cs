namespace KafkaNative;

/// <summary>How many replicas must have a record before the leader acknowledges it.</summary>
public enum Acks : short
{
    /// <summary>None: the producer does not wait for the broker at all (no offsets, no errors).</summary>
    None = 0,

    /// <summary>The leader has written it.</summary>
    Leader = 1,

    /// <summary>Every in-sync replica has it (acks=all, -1).</summary>
    All = -1,
}
