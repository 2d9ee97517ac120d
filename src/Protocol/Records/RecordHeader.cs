namespace KafkaNative;

/// <summary>
/// A record header to write: a non-null UTF-8 key and a value that may be null. A struct, so a
/// <see cref="ReadOnlySpan{T}"/> of headers can be passed to
/// <see cref="KafkaNative.Protocol.Records.RecordBatchBuilder.Append(long, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{RecordHeader}, bool, bool)"/>
/// without allocating.
/// </summary>
/// <param name="key">The header key.</param>
/// <param name="value">The header value; null is written as length -1. A null <c>byte[]</c> variable converts to an empty value, not to null: pass <c>null</c> itself for a null value.</param>
public readonly struct RecordHeader(string key, ReadOnlyMemory<byte>? value)
{
    /// <summary>The header key (never null in a valid header).</summary>
    public string Key { get; } = key;

    /// <summary>The header value, or null.</summary>
    public ReadOnlyMemory<byte>? Value { get; } = value;
}
