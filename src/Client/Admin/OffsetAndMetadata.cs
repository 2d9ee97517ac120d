namespace KafkaNative.Admin;

/// <summary>A consumer group's committed offset for one partition.</summary>
/// <param name="Offset">The offset of the next record the group will read.</param>
/// <param name="Metadata">The metadata committed with it, or null.</param>
/// <param name="LeaderEpoch">The leader epoch of the record before it, or -1 when unknown.</param>
public readonly record struct OffsetAndMetadata(long Offset, string? Metadata = null, int LeaderEpoch = -1);
