namespace KafkaNative;

/// <summary>
/// A record to produce with everything a record carries: key, value, headers and timestamp. A struct,
/// so building one allocates nothing.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly record struct Message<TKey, TValue>
{
    /// <summary>The key, or null; records with the same key go to the same partition.</summary>
    public TKey? Key { get; init; }

    /// <summary>The value, or null (a tombstone on compacted topics).</summary>
    public TValue? Value { get; init; }

    /// <summary>Record headers in order, or null. The same type a consumer reads back in <c>ConsumeResult.Headers</c>.</summary>
    public RecordHeader[]? Headers { get; init; }

    /// <summary>The record's create time; null stamps it with the producer's clock when it is handed over.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}
