namespace KafkaNative.Protocol.Records;

/// <summary>A record header as read: the key as UTF-8 bytes and the value, both slices of the record.</summary>
/// <param name="keyUtf8">The key's UTF-8 bytes.</param>
/// <param name="value">The value, or null.</param>
public readonly struct RecordHeaderView(ReadOnlyMemory<byte> keyUtf8, ReadOnlyMemory<byte>? value)
{
    /// <summary>The key's UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> KeyUtf8 { get; } = keyUtf8;

    /// <summary>The value, or null.</summary>
    public ReadOnlyMemory<byte>? Value { get; } = value;

    /// <summary>Decodes the key (allocates a string).</summary>
    public string GetKey() => System.Text.Encoding.UTF8.GetString(KeyUtf8.Span);

    /// <summary>True when the key equals <paramref name="keyUtf8"/> (compare without allocating).</summary>
    /// <param name="keyUtf8">A UTF-8 key, e.g. <c>"trace-id"u8</c>.</param>
    public bool KeyEquals(ReadOnlySpan<byte> keyUtf8) => KeyUtf8.Span.SequenceEqual(keyUtf8);
}
