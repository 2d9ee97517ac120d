using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace KafkaNative.Protocol.Primitives;

/// <summary>
/// Reads Kafka wire primitives from a contiguous buffer. It never reads past its input and
/// never allocates more than the input could hold: every length is checked against the bytes
/// that remain before anything is allocated. Failures throw <see cref="KafkaProtocolException"/>
/// naming the field and the offset.
/// </summary>
/// <remarks>
/// Built over <see cref="ReadOnlyMemory{T}"/>, byte fields and record sets are returned as slices
/// of the input (no copy): they stay valid while the input buffer does. Built over a
/// <see cref="ReadOnlySpan{T}"/>, they are copied.
/// </remarks>
public ref struct KafkaReader
{
    private readonly ReadOnlySpan<byte> _span;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _sliceable;
    private readonly long _baseOffset;
    private int _position;

    /// <summary>Reads from <paramref name="input"/>; byte fields are slices of it.</summary>
    /// <param name="input">The bytes to read.</param>
    /// <param name="baseOffset">Offset of <paramref name="input"/> in a larger stream, for error messages.</param>
    public KafkaReader(ReadOnlyMemory<byte> input, long baseOffset = 0)
    {
        _memory = input;
        _span = input.Span;
        _sliceable = true;
        _baseOffset = baseOffset;
    }

    /// <summary>Reads from <paramref name="input"/>; byte fields are copied out of it.</summary>
    /// <param name="input">The bytes to read.</param>
    /// <param name="baseOffset">Offset of <paramref name="input"/> in a larger stream, for error messages.</param>
    public KafkaReader(ReadOnlySpan<byte> input, long baseOffset = 0)
    {
        _span = input;
        _baseOffset = baseOffset;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _span.Length - _position;

    /// <summary>True when every byte has been consumed.</summary>
    public readonly bool End => _position == _span.Length;

    /// <summary>Reads a boolean (one byte, non-zero is true).</summary>
    public bool ReadBool(string? field = null) => Take(1, field)[0] != 0;

    /// <summary>Reads a signed byte.</summary>
    public sbyte ReadInt8(string? field = null) => (sbyte)Take(1, field)[0];

    /// <summary>Reads a big-endian 16-bit integer.</summary>
    public short ReadInt16(string? field = null) => BinaryPrimitives.ReadInt16BigEndian(Take(2, field));

    /// <summary>Reads a big-endian unsigned 16-bit integer.</summary>
    public ushort ReadUInt16(string? field = null) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));

    /// <summary>Reads a big-endian 32-bit integer.</summary>
    public int ReadInt32(string? field = null) => BinaryPrimitives.ReadInt32BigEndian(Take(4, field));

    /// <summary>Reads a big-endian unsigned 32-bit integer.</summary>
    public uint ReadUInt32(string? field = null) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

    /// <summary>Reads a big-endian 64-bit integer.</summary>
    public long ReadInt64(string? field = null) => BinaryPrimitives.ReadInt64BigEndian(Take(8, field));

    /// <summary>Reads a big-endian IEEE 754 double.</summary>
    public double ReadFloat64(string? field = null) => BinaryPrimitives.ReadDoubleBigEndian(Take(8, field));

    /// <summary>Reads a UUID: 16 bytes, most significant first.</summary>
    public Guid ReadUuid(string? field = null) => new(Take(16, field), bigEndian: true);

    /// <summary>Reads an unsigned LEB128 varint of at most 5 bytes.</summary>
    public uint ReadUnsignedVarInt(string? field = null)
    {
        int start = _position;
        int consumed = Varint.TryReadUnsigned(_span[_position..], out uint value);
        if (consumed <= 0) ThrowVarint(consumed, 5, field, start);
        _position += consumed;
        return value;
    }

    /// <summary>Reads a zig-zag varint (signed 32-bit) of at most 5 bytes.</summary>
    public int ReadVarInt(string? field = null) => Varint.ZigZagDecode(ReadUnsignedVarInt(field));

    /// <summary>Reads a zig-zag varlong (signed 64-bit) of at most 10 bytes.</summary>
    public long ReadVarLong(string? field = null)
    {
        int start = _position;
        int consumed = Varint.TryReadUnsigned64(_span[_position..], out ulong value);
        if (consumed <= 0) ThrowVarint(consumed, 10, field, start);
        _position += consumed;
        return Varint.ZigZagDecode(value);
    }

    /// <summary>Reads a non-null string with a 16-bit length prefix.</summary>
    public string ReadString(string? field = null) =>
        ReadNullableString(field) ?? throw Error("Non-nullable string was null", field, _position - 2);

    /// <summary>Reads a string with a 16-bit length prefix, where -1 means null.</summary>
    public string? ReadNullableString(string? field = null)
    {
        int start = _position;
        short length = ReadInt16(field);
        if (length < 0)
        {
            if (length != -1) throw Error($"String length {length} is negative", field, start);
            return null;
        }
        return Encoding.UTF8.GetString(Take(length, field));
    }

    /// <summary>Reads a non-null compact string (unsigned varint length + 1).</summary>
    public string ReadCompactString(string? field = null)
    {
        int start = _position;
        return ReadCompactNullableString(field) ?? throw Error("Non-nullable compact string was null", field, start);
    }

    /// <summary>Reads a compact string (unsigned varint length + 1) where 0 means null.</summary>
    public string? ReadCompactNullableString(string? field = null)
    {
        int length = ReadCompactLength(field);
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length, field));
    }

    /// <summary>Reads non-null bytes with a 32-bit length prefix.</summary>
    public ReadOnlyMemory<byte> ReadBytes(string? field = null)
    {
        int start = _position;
        return ReadNullableBytes(field) ?? throw Error("Non-nullable bytes were null", field, start);
    }

    /// <summary>Reads bytes with a 32-bit length prefix, where -1 means null.</summary>
    public ReadOnlyMemory<byte>? ReadNullableBytes(string? field = null)
    {
        int start = _position;
        int length = ReadInt32(field);
        if (length < 0)
        {
            if (length != -1) throw Error($"Byte length {length} is negative", field, start);
            return null;
        }
        return ReadRaw(length, field);
    }

    /// <summary>Reads non-null compact bytes (unsigned varint length + 1).</summary>
    public ReadOnlyMemory<byte> ReadCompactBytes(string? field = null)
    {
        int start = _position;
        return ReadCompactNullableBytes(field) ?? throw Error("Non-nullable compact bytes were null", field, start);
    }

    /// <summary>Reads compact bytes (unsigned varint length + 1) where 0 means null.</summary>
    public ReadOnlyMemory<byte>? ReadCompactNullableBytes(string? field = null)
    {
        int length = ReadCompactLength(field);
        return length < 0 ? default(ReadOnlyMemory<byte>?) : ReadRaw(length, field);
    }

    /// <summary>
    /// Reads a 32-bit array length; -1 means null. A count larger than the bytes that remain
    /// is rejected, since every element takes at least one byte.
    /// </summary>
    public int ReadArrayLength(string? field = null)
    {
        int start = _position;
        int count = ReadInt32(field);
        if (count < -1) throw Error($"Array length {count} is negative", field, start);
        if (count > Remaining) throw Error($"Array length {count} exceeds the {Remaining} bytes that remain", field, start);
        return count;
    }

    /// <summary>Reads a compact array length (unsigned varint count + 1); -1 means null.</summary>
    public int ReadCompactArrayLength(string? field = null)
    {
        int start = _position;
        int count = ReadCompactLength(field);
        if (count > Remaining) throw Error($"Array length {count} exceeds the {Remaining} bytes that remain", field, start);
        return count;
    }

    /// <summary>Reads <paramref name="length"/> bytes as a slice of the input (or a copy, for span input).</summary>
    public ReadOnlyMemory<byte> ReadRaw(int length, string? field = null)
    {
        int start = _position;
        ReadOnlySpan<byte> bytes = Take(length, field);
        return _sliceable ? _memory.Slice(start, length) : bytes.ToArray();
    }

    /// <summary>Returns the next <paramref name="length"/> bytes as a span and consumes them.</summary>
    public ReadOnlySpan<byte> ReadSpan(int length, string? field = null) => Take(length, field);

    /// <summary>Skips <paramref name="length"/> bytes.</summary>
    public void Skip(int length, string? field = null) => Take(length, field);

    /// <summary>Throws unless every byte of the input was consumed.</summary>
    public readonly void EnsureEnd(string what)
    {
        if (!End) throw Error($"{Remaining} unexpected bytes after {what}", null, _position);
    }

    /// <summary>Builds a protocol exception at the current position, for callers validating what they read.</summary>
    public readonly KafkaProtocolException Error(string message, string? field) => Error(message, field, _position);

    private int ReadCompactLength(string? field)
    {
        int start = _position;
        uint encoded = ReadUnsignedVarInt(field);
        if (encoded > (uint)int.MaxValue) throw Error($"Compact length {encoded - 1} is too large", field, start);
        return (int)encoded - 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int length, string? field)
    {
        if ((uint)length > (uint)(_span.Length - _position)) ThrowTruncated(length, field);
        ReadOnlySpan<byte> slice = _span.Slice(_position, length);
        _position += length;
        return slice;
    }

    private readonly KafkaProtocolException Error(string message, string? field, int position) =>
        new(message, field, _baseOffset + position);

    [DoesNotReturn]
    private readonly void ThrowTruncated(int length, string? field) =>
        throw (length < 0
            ? Error($"Length {length} is negative", field, _position)
            : Error($"Input truncated: {length} bytes needed, {Remaining} remain", field, _position));

    [DoesNotReturn]
    private readonly void ThrowVarint(int consumed, int maxBytes, string? field, int start) =>
        throw (consumed == 0
            ? Error("Input truncated inside a varint", field, start)
            : Error($"Varint longer than {maxBytes} bytes", field, start));
}
