using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace KafkaNative.Protocol.Compression;

/// <summary>
/// Snappy: raw blocks through Snappier, and the xerial framing that Kafka's Java client (snappy-java)
/// writes around them. Raw blocks without framing, as librdkafka writes them, are read too.
/// </summary>
internal static class SnappyCodec
{
    /// <summary>First 8 bytes of a xerial (snappy-java) stream.</summary>
    internal static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00];

    /// <summary>Magic, int32 version, int32 minimum compatible version.</summary>
    internal const int XerialHeaderLength = 16;

    /// <summary>Uncompressed bytes per xerial block, as snappy-java's default.</summary>
    internal const int XerialBlockSize = 32 * 1024;

    /// <summary>Largest raw snappy output for <paramref name="length"/> input bytes.</summary>
    internal static int MaxCompressedLength(int length)
    {
        // Snappy's bound is 32 + n + n / 6; checked in 64 bits so it cannot overflow.
        if (32L + length + length / 6 > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, "Input too large for snappy.");
        return Snappy.GetMaxCompressedLength(length);
    }

    /// <summary>Compresses with xerial framing: header, then [int32 BE length][raw block] per 32 KiB of input.</summary>
    public static void CompressXerial(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> header = destination.GetSpan(XerialHeaderLength);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        destination.Advance(XerialHeaderLength);

        int maxBlock = 4 + MaxCompressedLength(XerialBlockSize);
        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> block = source[..Math.Min(XerialBlockSize, source.Length)];
            Span<byte> span = destination.GetSpan(maxBlock);
            int written = Snappy.Compress(block, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, written);
            destination.Advance(4 + written);
            source = source[block.Length..];
        }
    }

    /// <summary>Compresses into one raw snappy block, without framing (what librdkafka writes).</summary>
    public static void CompressRaw(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> span = destination.GetSpan(MaxCompressedLength(source.Length));
        destination.Advance(Snappy.Compress(source, span));
    }

    /// <summary>Decompresses xerial-framed snappy, or raw snappy when the xerial magic is absent.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        long produced = 0;
        if (!source.StartsWith(XerialMagic))
        {
            DecompressBlock(source, 0, destination, ref produced, maxDecompressedBytes);
            return;
        }

        int pos = 0;
        while (pos < source.Length)
        {
            // snappy-java reads concatenated streams, each with its own header. A block length never
            // starts with 0x82 (it would be negative), so the check cannot mistake a block for a header.
            if (source[pos..].StartsWith(XerialMagic))
            {
                if (source.Length - pos < XerialHeaderLength)
                    throw CodecErrors.Corrupt(CompressionType.Snappy, "xerial header is truncated", pos);
                pos += XerialHeaderLength;
                continue;
            }
            if (source.Length - pos < 4)
                throw CodecErrors.Corrupt(CompressionType.Snappy, "xerial block length is truncated", pos);
            int blockLength = BinaryPrimitives.ReadInt32BigEndian(source[pos..]);
            if (blockLength <= 0 || blockLength > source.Length - pos - 4)
                throw CodecErrors.Corrupt(CompressionType.Snappy,
                    $"xerial block length {blockLength} does not fit the {source.Length - pos - 4} bytes that remain", pos);
            pos += 4;
            DecompressBlock(source.Slice(pos, blockLength), pos, destination, ref produced, maxDecompressedBytes);
            pos += blockLength;
        }
    }

    /// <summary>Decodes one raw snappy block straight into <paramref name="destination"/>.</summary>
    /// <param name="block">The block.</param>
    /// <param name="blockOffset">Where the block starts in the whole input, for error messages.</param>
    /// <param name="destination">Receives the output.</param>
    /// <param name="produced">Bytes produced so far across blocks; updated.</param>
    /// <param name="max">The decompression cap.</param>
    private static void DecompressBlock(ReadOnlySpan<byte> block, int blockOffset, IBufferWriter<byte> destination, ref long produced, int max)
    {
        if (!TryReadVarint(block, out uint declared, out int headerLength))
            throw CodecErrors.Corrupt(CompressionType.Snappy, "the uncompressed length preamble is missing or malformed", blockOffset);
        // Check the claim before allocating for it: against the cap, then against the most the body could
        // encode (a 3-byte copy yields at most 64 bytes), so a tiny input cannot make us reserve a lot.
        if (declared > max - produced)
            throw CodecErrors.TooLarge(CompressionType.Snappy, max);
        long body = block.Length - headerLength;
        if (declared > body * 64 / 3)
            throw CodecErrors.Corrupt(CompressionType.Snappy,
                $"declares {declared} uncompressed bytes, more than its {body} bytes can encode", blockOffset);

        int length = (int)declared;
        Span<byte> output = length == 0 ? [] : destination.GetSpan(length)[..length];
        int written;
        try
        {
            // Snappier reads the length preamble again and checks every element against both spans.
            written = Snappy.Decompress(block, output);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw CodecErrors.Corrupt(CompressionType.Snappy, e.Message, blockOffset, e);
        }
        if (written != length)
            throw CodecErrors.Corrupt(CompressionType.Snappy, $"decoded {written} bytes but the block declared {length}", blockOffset);
        destination.Advance(length);
        produced += length;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> input, out uint value, out int length)
    {
        value = 0;
        for (int i = 0; i < 5 && i < input.Length; i++)
        {
            byte b = input[i];
            if (i == 4 && b > 0x0F) break;
            value |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                return true;
            }
        }
        length = 0;
        return false;
    }
}
