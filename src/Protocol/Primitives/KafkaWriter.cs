using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace KafkaNative.Protocol.Primitives;

/// <summary>
/// Writes Kafka wire primitives into an <see cref="IBufferWriter{T}"/> (usually a pooled buffer).
/// It works on a span borrowed from the output and commits it in <see cref="Flush"/>, which the
/// caller must call once it is done writing.
/// </summary>
public ref struct KafkaWriter
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _buffered;
    private long _committed;

    /// <summary>Writes to <paramref name="output"/>.</summary>
    public KafkaWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _span = default;
    }

    /// <summary>Bytes written so far, flushed or not.</summary>
    public readonly long BytesWritten => _committed + _buffered;

    /// <summary>Commits the buffered bytes to the output.</summary>
    public void Flush()
    {
        if (_buffered == 0) return;
        _output.Advance(_buffered);
        _committed += _buffered;
        _buffered = 0;
        _span = default;
    }

    /// <summary>Writes a boolean as one byte.</summary>
    public void WriteBool(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>Writes a signed byte.</summary>
    public void WriteInt8(sbyte value) => Reserve(1)[0] = (byte)value;

    /// <summary>Writes a big-endian 16-bit integer.</summary>
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);

    /// <summary>Writes a big-endian unsigned 16-bit integer.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    /// <summary>Writes a big-endian 32-bit integer.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);

    /// <summary>Writes a big-endian unsigned 32-bit integer.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    /// <summary>Writes a big-endian 64-bit integer.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);

    /// <summary>Writes a big-endian IEEE 754 double.</summary>
    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Reserve(8), value);

    /// <summary>Writes a UUID, most significant byte first.</summary>
    public void WriteUuid(Guid value) => value.TryWriteBytes(Reserve(16), bigEndian: true, out _);

    /// <summary>Writes an unsigned varint.</summary>
    public void WriteUnsignedVarInt(uint value)
    {
        Span<byte> span = Reserve(Varint.SizeOfUnsigned(value));
        Varint.WriteUnsigned(span, value);
    }

    /// <summary>Writes a zig-zag varint.</summary>
    public void WriteVarInt(int value) => WriteUnsignedVarInt(Varint.ZigZagEncode(value));

    /// <summary>Writes a zig-zag varlong.</summary>
    public void WriteVarLong(long value)
    {
        ulong encoded = Varint.ZigZagEncode(value);
        Varint.WriteUnsigned64(Reserve(Varint.SizeOfUnsigned(encoded)), encoded);
    }

    /// <summary>Writes a non-null string with a 16-bit length prefix.</summary>
    public void WriteString(string value, string? field = null) =>
        WriteNullableString(value ?? throw NullField(field), field);

    /// <summary>Writes a string with a 16-bit length prefix; null is written as length -1.</summary>
    public void WriteNullableString(string? value, string? field = null)
    {
        if (value is null)
        {
            WriteInt16(-1);
            return;
        }
        int length = Encoding.UTF8.GetByteCount(value);
        if (length > short.MaxValue)
            throw new KafkaProtocolException($"String of {length} UTF-8 bytes does not fit a 16-bit length", field);
        WriteInt16((short)length);
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    /// <summary>Writes a non-null compact string (unsigned varint length + 1).</summary>
    public void WriteCompactString(string value, string? field = null) =>
        WriteCompactNullableString(value ?? throw NullField(field), field);

    /// <summary>Writes a compact string; null is written as 0.</summary>
    public void WriteCompactNullableString(string? value, string? field = null)
    {
        if (value is null)
        {
            WriteUnsignedVarInt(0);
            return;
        }
        int length = Encoding.UTF8.GetByteCount(value);
        WriteUnsignedVarInt((uint)length + 1);
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    /// <summary>Writes bytes with a 32-bit length prefix.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes bytes with a 32-bit length prefix; null is written as length -1.</summary>
    public void WriteNullableBytes(ReadOnlyMemory<byte>? value)
    {
        if (value is null) WriteInt32(-1);
        else WriteBytes(value.Value.Span);
    }

    /// <summary>Writes compact bytes (unsigned varint length + 1).</summary>
    public void WriteCompactBytes(ReadOnlySpan<byte> value)
    {
        WriteUnsignedVarInt((uint)value.Length + 1);
        WriteRaw(value);
    }

    /// <summary>Writes compact bytes; null is written as 0.</summary>
    public void WriteCompactNullableBytes(ReadOnlyMemory<byte>? value)
    {
        if (value is null) WriteUnsignedVarInt(0);
        else WriteCompactBytes(value.Value.Span);
    }

    /// <summary>Writes a 32-bit array length; -1 means null.</summary>
    public void WriteArrayLength(int count) => WriteInt32(count);

    /// <summary>Writes a compact array length (count + 1); -1 means null.</summary>
    public void WriteCompactArrayLength(int count) => WriteUnsignedVarInt((uint)(count + 1));

    /// <summary>Writes bytes as they are.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        if (value.Length <= _span.Length - _buffered)
        {
            value.CopyTo(_span[_buffered..]);
            _buffered += value.Length;
            return;
        }
        // Large payloads go straight through the output in chunks instead of one huge span.
        Flush();
        while (value.Length > 0)
        {
            Span<byte> destination = _output.GetSpan(1);
            int chunk = Math.Min(destination.Length, value.Length);
            value[..chunk].CopyTo(destination);
            _output.Advance(chunk);
            _committed += chunk;
            value = value[chunk..];
        }
    }

    /// <summary>Borrows <paramref name="length"/> writable bytes and counts them as written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Reserve(int length)
    {
        if (_span.Length - _buffered < length) Grow(length);
        Span<byte> slice = _span.Slice(_buffered, length);
        _buffered += length;
        return slice;
    }

    private void Grow(int length)
    {
        Flush();
        _span = _output.GetSpan(Math.Max(length, 256));
        if (_span.Length < length) throw new InvalidOperationException("The output returned a span smaller than requested.");
    }

    private static KafkaProtocolException NullField(string? field) =>
        new("Non-nullable field is null", field);
}
