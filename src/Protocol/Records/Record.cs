using System.Buffers.Binary;

namespace KafkaNative.Protocol.Records;

/// <summary>
/// One record read from a batch. Key, value and headers are slices of the fetched bytes (or of
/// the reader's decompression buffer for compressed batches): nothing is copied, and they stay
/// valid only as long as those bytes do.
/// </summary>
public readonly struct Record
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly int _keyStart;
    private readonly int _keyLength;
    private readonly int _valueStart;
    private readonly int _valueLength;
    private readonly int _headersStart;
    private readonly int _headerCount;

    internal Record(
        ReadOnlyMemory<byte> buffer, long offset, long timestamp, TimestampType timestampType, bool isControl,
        int keyStart, int keyLength, int valueStart, int valueLength, int headersStart, int headerCount)
    {
        _buffer = buffer;
        Offset = offset;
        Timestamp = timestamp;
        TimestampType = timestampType;
        IsControl = isControl;
        _keyStart = keyStart;
        _keyLength = keyLength;
        _valueStart = valueStart;
        _valueLength = valueLength;
        _headersStart = headersStart;
        _headerCount = headerCount;
    }

    /// <summary>The record's offset in its partition.</summary>
    public long Offset { get; }

    /// <summary>Timestamp in milliseconds since the Unix epoch; -1 for legacy magic 0 messages.</summary>
    public long Timestamp { get; }

    /// <summary>Meaning of <see cref="Timestamp"/>.</summary>
    public TimestampType TimestampType { get; }

    /// <summary>True for a control record (its batch is a control batch); consumers skip these.</summary>
    public bool IsControl { get; }

    /// <summary>The key, or null when the record has no key (an empty key is not null).</summary>
    public ReadOnlyMemory<byte>? Key => _keyLength < 0 ? default(ReadOnlyMemory<byte>?) : _buffer.Slice(_keyStart, _keyLength);

    /// <summary>The key as a span; empty when the key is null or empty (see <see cref="IsKeyNull"/>).</summary>
    public ReadOnlySpan<byte> KeySpan => _keyLength <= 0 ? default : _buffer.Span.Slice(_keyStart, _keyLength);

    /// <summary>True when the key is null.</summary>
    public bool IsKeyNull => _keyLength < 0;

    /// <summary>Key length in bytes, or -1 when null.</summary>
    public int KeyLength => _keyLength;

    /// <summary>The value, or null for a tombstone (an empty value is not null).</summary>
    public ReadOnlyMemory<byte>? Value => _valueLength < 0 ? default(ReadOnlyMemory<byte>?) : _buffer.Slice(_valueStart, _valueLength);

    /// <summary>The value as a span; empty when the value is null or empty (see <see cref="IsValueNull"/>).</summary>
    public ReadOnlySpan<byte> ValueSpan => _valueLength <= 0 ? default : _buffer.Span.Slice(_valueStart, _valueLength);

    /// <summary>True when the value is null.</summary>
    public bool IsValueNull => _valueLength < 0;

    /// <summary>Value length in bytes, or -1 when null.</summary>
    public int ValueLength => _valueLength;

    /// <summary>The record's headers (none for legacy messages).</summary>
    public RecordHeaders Headers => new(_buffer, _headersStart, _headerCount);

    /// <summary>
    /// Reads the control record type from the key (version int16, type int16). Only meaningful
    /// when <see cref="IsControl"/>; types this library does not know give <see cref="ControlRecordType.Unknown"/>.
    /// </summary>
    /// <exception cref="KafkaProtocolException">The key is null or shorter than 4 bytes.</exception>
    public ControlRecordType GetControlRecordType()
    {
        if (_keyLength < 4)
            throw new KafkaProtocolException($"Control record key has {_keyLength} bytes; it needs at least 4", "key", Offset);
        short type = BinaryPrimitives.ReadInt16BigEndian(_buffer.Span.Slice(_keyStart + 2, 2));
        return type is >= (short)ControlRecordType.Abort and <= (short)ControlRecordType.KRaftVoters
            ? (ControlRecordType)type
            : ControlRecordType.Unknown;
    }
}
