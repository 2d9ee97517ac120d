using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Records;

/// <summary>
/// Enumerates the records of one <see cref="RecordBatch"/>, decoding and validating each as it
/// goes: lengths past the batch, over-long varints, a record count that does not match the bytes
/// all throw <see cref="KafkaProtocolException"/>. Allocates nothing.
/// </summary>
public ref struct RecordEnumerator
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private readonly RecordErrorContext _errors;
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly long _timestampOverride;
    private readonly TimestampType _timestampType;
    private readonly byte _magic;
    private readonly bool _hasTimestampOverride;
    private readonly bool _isControl;
    private int _position;
    private int _remaining;
    private Record _current;

    internal RecordEnumerator(
        ReadOnlyMemory<byte> records, int count, byte magic, long baseOffset, long baseTimestamp,
        TimestampType timestampType, bool hasTimestampOverride, long timestampOverride, bool isControl,
        RecordErrorContext errors)
    {
        _memory = records;
        _span = records.Span;
        _remaining = count;
        _magic = magic;
        _baseOffset = baseOffset;
        _baseTimestamp = baseTimestamp;
        _timestampType = timestampType;
        _hasTimestampOverride = hasTimestampOverride;
        _timestampOverride = timestampOverride;
        _isControl = isControl;
        _errors = errors;
        _position = 0;
        _current = default;
    }

    /// <summary>The current record.</summary>
    public readonly Record Current => _current;

    /// <summary>Records not yet enumerated.</summary>
    public readonly int Remaining => _remaining;

    /// <summary>Returns this enumerator, so a batch's records can be used in <c>foreach</c>.</summary>
    public readonly RecordEnumerator GetEnumerator() => this;

    /// <summary>Decodes the next record.</summary>
    /// <exception cref="KafkaProtocolException">The record is malformed.</exception>
    public bool MoveNext()
    {
        if (_remaining == 0)
        {
            if (_position != _span.Length)
                throw _errors.Error($"{_span.Length - _position} unexpected bytes after the last record", "records", _position);
            return false;
        }
        if (_magic >= 2) ReadRecord();
        else ReadLegacyMessage();
        _remaining--;
        return true;
    }

    private void ReadRecord()
    {
        ReadOnlySpan<byte> span = _span;
        int start = _position;
        int position = start;
        int length = ReadVarInt(span, ref position, span.Length, "recordLength");
        if (length < 0) throw _errors.Error($"Record length {length} is negative", "recordLength", start);
        if (length > span.Length - position)
            throw _errors.Error($"Record length {length} exceeds the {span.Length - position} bytes left in the batch", "recordLength", start);
        int end = position + length;

        if (position >= end) throw _errors.Error("Record truncated before its attributes", "attributes", position);
        position++; // attributes: unused
        long timestampDelta = ReadVarLong(span, ref position, end, "timestampDelta");
        int offsetDelta = ReadVarInt(span, ref position, end, "offsetDelta");

        int keyLength = ReadBytesLength(span, ref position, end, "keyLength");
        int keyStart = position;
        position += Math.Max(keyLength, 0);
        int valueLength = ReadBytesLength(span, ref position, end, "valueLength");
        int valueStart = position;
        position += Math.Max(valueLength, 0);

        int headersAt = position;
        int headerCount = ReadVarInt(span, ref position, end, "headerCount");
        if (headerCount < 0) throw _errors.Error($"Header count {headerCount} is negative", "headerCount", headersAt);
        // Each header takes at least two bytes (key length and value length).
        if (headerCount > (end - position) / 2)
            throw _errors.Error($"Header count {headerCount} exceeds what the {end - position} bytes left in the record can hold", "headerCount", headersAt);
        int headersStart = position;
        for (int i = 0; i < headerCount; i++)
        {
            int headerKeyAt = position;
            int headerKeyLength = ReadVarInt(span, ref position, end, "headerKeyLength");
            if (headerKeyLength < 0) throw _errors.Error($"Header key length {headerKeyLength} is negative", "headerKeyLength", headerKeyAt);
            if (headerKeyLength > end - position)
                throw _errors.Error($"Header key length {headerKeyLength} exceeds the {end - position} bytes left in the record", "headerKeyLength", headerKeyAt);
            position += headerKeyLength;
            int headerValueLength = ReadBytesLength(span, ref position, end, "headerValueLength");
            position += Math.Max(headerValueLength, 0);
        }
        if (position != end) throw _errors.Error($"{end - position} unexpected bytes at the end of the record", "record", position);

        _position = end;
        _current = new Record(
            _memory,
            _baseOffset + offsetDelta,
            _hasTimestampOverride ? _timestampOverride : _baseTimestamp + timestampDelta,
            _timestampType,
            _isControl,
            keyStart, keyLength, valueStart, valueLength, headersStart, headerCount);
    }

    private void ReadLegacyMessage()
    {
        LegacyMessage message = LegacyMessage.Parse(_span, _position, verifyCrc: false, _errors);
        _position = message.End;
        _current = new Record(
            _memory,
            _baseOffset + message.Offset,
            _hasTimestampOverride ? _timestampOverride : message.Timestamp,
            _timestampType,
            isControl: false,
            message.KeyStart, message.KeyLength, message.ValueStart, message.ValueLength, 0, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly int ReadBytesLength(ReadOnlySpan<byte> span, ref int position, int end, string field)
    {
        int at = position;
        int length = ReadVarInt(span, ref position, end, field);
        if (length > end - position || length < -1) ThrowBadLength(length, end - position, field, at);
        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly int ReadVarInt(ReadOnlySpan<byte> span, ref int position, int end, string field)
    {
        if ((uint)position < (uint)end)
        {
            uint first = span[position];
            if (first < 0x80)
            {
                position++;
                return (int)(first >> 1) ^ -(int)(first & 1);
            }
        }
        return ReadVarIntSlow(span, ref position, end, field);
    }

    private readonly int ReadVarIntSlow(ReadOnlySpan<byte> span, ref int position, int end, string field)
    {
        uint value = 0;
        int consumed = position < end ? Varint.TryReadUnsigned(span[position..end], out value) : 0;
        if (consumed <= 0) ThrowVarint(consumed, Varint.MaxLength32, field, position);
        position += consumed;
        return Varint.ZigZagDecode(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly long ReadVarLong(ReadOnlySpan<byte> span, ref int position, int end, string field)
    {
        if ((uint)position < (uint)end)
        {
            ulong first = span[position];
            if (first < 0x80)
            {
                position++;
                return (long)(first >> 1) ^ -(long)(first & 1);
            }
        }
        ulong value = 0;
        int consumed = position < end ? Varint.TryReadUnsigned64(span[position..end], out value) : 0;
        if (consumed <= 0) ThrowVarint(consumed, Varint.MaxLength64, field, position);
        position += consumed;
        return Varint.ZigZagDecode(value);
    }

    [DoesNotReturn]
    private readonly void ThrowVarint(int consumed, int maxBytes, string field, int position) =>
        throw (consumed == 0
            ? _errors.Error("Record truncated inside a varint", field, position)
            : _errors.Error($"Varint longer than {maxBytes} bytes", field, position));

    [DoesNotReturn]
    private readonly void ThrowBadLength(int length, int left, string field, int position) =>
        throw (length < -1
            ? _errors.Error($"Length {length} is negative", field, position)
            : _errors.Error($"Length {length} exceeds the {left} bytes left in the record", field, position));
}
