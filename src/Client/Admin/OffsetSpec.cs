using KafkaNative.Protocol;

namespace KafkaNative.Admin;

/// <summary>Which offset ListOffsets looks up: a timestamp or one of the special values.</summary>
/// <param name="Timestamp">Milliseconds since the epoch, or a special value (-1 latest, -2 earliest, -3 max timestamp).</param>
public readonly record struct OffsetSpec(long Timestamp)
{
    /// <summary>The offset the next record will get (the log end offset).</summary>
    public static OffsetSpec Latest => new(Sentinels.LatestTimestamp);

    /// <summary>The first offset still in the log.</summary>
    public static OffsetSpec Earliest => new(Sentinels.EarliestTimestamp);

    /// <summary>The offset of the record with the highest timestamp.</summary>
    public static OffsetSpec MaxTimestamp => new(Sentinels.MaxTimestamp);

    /// <summary>The first offset whose timestamp is at or after <paramref name="time"/>.</summary>
    public static OffsetSpec ForTime(DateTimeOffset time) => new(time.ToUnixTimeMilliseconds());
}

/// <summary>The answer to a ListOffsets lookup.</summary>
/// <param name="Offset">The offset, or -1 when no record matches the timestamp.</param>
/// <param name="Timestamp">The record's timestamp, or -1.</param>
/// <param name="LeaderEpoch">The leader epoch, or -1.</param>
public readonly record struct ListedOffset(long Offset, long Timestamp, int LeaderEpoch);
