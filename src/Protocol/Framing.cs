using System.Buffers;
using System.Buffers.Binary;

namespace KafkaNative.Protocol;

/// <summary>
/// Kafka's framing: every request and response is a 32-bit big-endian size followed by that
/// many bytes. The size is checked against a maximum before anything is buffered for it.
/// </summary>
public static class Framing
{
    /// <summary>Bytes taken by the size prefix.</summary>
    public const int SizePrefixLength = 4;

    /// <summary>
    /// Takes one complete frame (without its size prefix) off the front of <paramref name="buffer"/>.
    /// Returns false when the buffer does not hold a whole frame yet.
    /// </summary>
    /// <exception cref="KafkaProtocolException">The size is negative or larger than <paramref name="maxFrameSize"/>.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < SizePrefixLength) return false;

        Span<byte> prefix = stackalloc byte[SizePrefixLength];
        buffer.Slice(0, SizePrefixLength).CopyTo(prefix);
        int size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < 0)
            throw new KafkaProtocolException($"Frame size {size} is negative", "size", 0);
        if (size > maxFrameSize)
            throw new KafkaProtocolException($"Frame size {size} exceeds the maximum of {maxFrameSize} bytes", "size", 0);
        if (buffer.Length - SizePrefixLength < size) return false;

        frame = buffer.Slice(SizePrefixLength, size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    /// <summary>Reserves room for a size prefix; pass the returned position to <see cref="EndFrame"/>.</summary>
    public static int BeginFrame(Primitives.PooledBufferWriter output)
    {
        int start = output.WrittenCount;
        output.GetSpan(SizePrefixLength)[..SizePrefixLength].Clear();
        output.Advance(SizePrefixLength);
        return start;
    }

    /// <summary>Writes the size of everything after the prefix begun at <paramref name="frameStart"/>.</summary>
    public static void EndFrame(Primitives.PooledBufferWriter output, int frameStart)
    {
        int size = output.WrittenCount - frameStart - SizePrefixLength;
        BinaryPrimitives.WriteInt32BigEndian(output.WrittenSpanForPatching.Slice(frameStart, SizePrefixLength), size);
    }
}
