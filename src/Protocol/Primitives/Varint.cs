using System.Runtime.CompilerServices;

namespace KafkaNative.Protocol.Primitives;

/// <summary>
/// LEB128 varints as Kafka uses them: unsigned for lengths and tags, zig-zag signed for record
/// fields. Span based so the record batch hot path can use them without a reader.
/// </summary>
public static class Varint
{
    /// <summary>Largest encoding of a 32-bit varint.</summary>
    public const int MaxLength32 = 5;

    /// <summary>Largest encoding of a 64-bit varint.</summary>
    public const int MaxLength64 = 10;

    /// <summary>Zig-zag encodes a signed 32-bit value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ZigZagEncode(int value) => (uint)((value << 1) ^ (value >> 31));

    /// <summary>Zig-zag encodes a signed 64-bit value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZagEncode(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>Decodes a zig-zag encoded 32-bit value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ZigZagDecode(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    /// <summary>Decodes a zig-zag encoded 64-bit value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ZigZagDecode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Bytes needed to encode <paramref name="value"/> as an unsigned varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfUnsigned(uint value) => (38 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7;

    /// <summary>Bytes needed to encode <paramref name="value"/> as an unsigned 64-bit varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfUnsigned(ulong value) => (70 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7;

    /// <summary>Bytes needed to encode <paramref name="value"/> as a zig-zag varint.</summary>
    public static int SizeOfSigned(int value) => SizeOfUnsigned(ZigZagEncode(value));

    /// <summary>Bytes needed to encode <paramref name="value"/> as a zig-zag varlong.</summary>
    public static int SizeOfSigned(long value) => SizeOfUnsigned(ZigZagEncode(value));

    /// <summary>Writes an unsigned varint; the span must hold <see cref="SizeOfUnsigned(uint)"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteUnsigned(Span<byte> destination, uint value)
    {
        if (value < 0x80 && destination.Length > 0)
        {
            destination[0] = (byte)value;
            return 1;
        }
        return WriteUnsignedSlow(destination, value);
    }

    private static int WriteUnsignedSlow(Span<byte> destination, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes an unsigned 64-bit varint.</summary>
    public static int WriteUnsigned64(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes a zig-zag varint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteSigned(Span<byte> destination, int value) => WriteUnsigned(destination, ZigZagEncode(value));

    /// <summary>Writes a zig-zag varlong.</summary>
    public static int WriteSigned(Span<byte> destination, long value) => WriteUnsigned64(destination, ZigZagEncode(value));

    /// <summary>
    /// Reads an unsigned varint of at most 5 bytes. Returns the bytes consumed, 0 when the input
    /// ends inside the varint, or -1 when it is longer than 5 bytes or overflows 32 bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryReadUnsigned(ReadOnlySpan<byte> source, out uint value)
    {
        if (source.Length > 0 && source[0] < 0x80)
        {
            value = source[0];
            return 1;
        }
        return TryReadUnsignedSlow(source, out value);
    }

    private static int TryReadUnsignedSlow(ReadOnlySpan<byte> source, out uint value)
    {
        value = 0;
        for (int i = 0; i < MaxLength32; i++)
        {
            if (i >= source.Length) return 0;
            uint b = source[i];
            if (i == MaxLength32 - 1 && b > 0x0F) return -1;
            value |= (b & 0x7F) << (7 * i);
            if (b < 0x80) return i + 1;
        }
        return -1;
    }

    /// <summary>
    /// Reads an unsigned varint of at most 10 bytes. Returns the bytes consumed, 0 when the input
    /// ends inside the varint, or -1 when it is longer than 10 bytes or overflows 64 bits.
    /// </summary>
    public static int TryReadUnsigned64(ReadOnlySpan<byte> source, out ulong value)
    {
        value = 0;
        for (int i = 0; i < MaxLength64; i++)
        {
            if (i >= source.Length) return 0;
            ulong b = source[i];
            if (i == MaxLength64 - 1 && b > 0x01) return -1;
            value |= (b & 0x7F) << (7 * i);
            if (b < 0x80) return i + 1;
        }
        return -1;
    }
}
