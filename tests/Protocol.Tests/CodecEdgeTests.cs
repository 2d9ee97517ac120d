using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Protocol.Tests;

/// <summary>
/// The edges of the managed codecs: LZ4 frames from other writers (checksums, content size, linked and
/// large blocks, skippable and concatenated frames), zstd's pooled contexts, snappy's xerial blocks.
/// </summary>
public class CodecEdgeTests
{
    private const int OneMiB = 1024 * 1024;

    private static byte[] Compress(CompressionType codec, ReadOnlySpan<byte> input)
    {
        var writer = new ArrayBufferWriter<byte>();
        Codecs.Compress(codec, input, writer);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Decompress(CompressionType codec, ReadOnlySpan<byte> input, int max = Codecs.DefaultMaxDecompressedBytes)
    {
        var writer = new ArrayBufferWriter<byte>();
        Codecs.Decompress(codec, input, writer, max);
        return writer.WrittenSpan.ToArray();
    }

    // Half text, half noise, so some LZ4 blocks compress and some are stored as they are.
    private static byte[] Mixed(int length, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
            bytes[i] = (i / 10_000) % 2 == 0 ? (byte)"kafka record batch "[i % 19] : (byte)random.Next(256);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(300_000)]
    public void OurLz4FramesDecodeWithK4osStreamDecoder(int length)
    {
        byte[] input = Mixed(length, seed: length);
        var output = new ArrayBufferWriter<byte>();
        LZ4Frame.Decode(Compress(CompressionType.Lz4, input), output);
        Assert.Equal(input, output.WrittenSpan.ToArray());
    }

    public static TheoryData<bool, int, int> K4osFrameShapes() => new()
    {
        // chained blocks, block size, length
        { false, 64 * 1024, 300_000 },
        { true, 64 * 1024, 300_000 },
        { false, 256 * 1024, 700_000 },
        { true, OneMiB, 2_500_000 },
        { false, 4 * OneMiB, 5_000_000 },
    };

    [Theory]
    [MemberData(nameof(K4osFrameShapes))]
    public void Lz4FramesFromK4osStreamEncoderDecode(bool chainBlocks, int blockSize, int length)
    {
        byte[] input = Mixed(length, seed: blockSize);
        // K4os writes no content size; ChecksummedFrame below covers that field.
        var settings = new LZ4EncoderSettings { ChainBlocks = chainBlocks, BlockSize = blockSize };
        var frame = new ArrayBufferWriter<byte>();
        LZ4Frame.Encode(input, frame, settings);
        Assert.Equal(input, Decompress(CompressionType.Lz4, frame.WrittenSpan));
    }

    [Fact]
    public void Lz4FrameWithEveryChecksumAndContentSizeDecodes()
    {
        byte[] input = Mixed(150_000, seed: 3);
        byte[] frame = ChecksummedFrame(input);
        Assert.Equal(input, Decompress(CompressionType.Lz4, frame));

        var k4os = new ArrayBufferWriter<byte>();
        LZ4Frame.Decode(frame, k4os);
        Assert.Equal(input, k4os.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("block-checksum")]
    [InlineData("content-checksum")]
    [InlineData("content-size")]
    [InlineData("header-checksum")]
    public void Lz4ChecksumsAndSizesAreVerified(string damaged)
    {
        byte[] input = Mixed(150_000, seed: 3);
        byte[] frame = ChecksummedFrame(input);
        switch (damaged)
        {
            case "block-checksum":
                // The first block's header follows the 15-byte frame header; its checksum follows its data.
                int blockLength = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(15)) & 0x7FFFFFFF;
                frame[19 + blockLength] ^= 1;
                break;
            case "content-checksum":
                frame[^1] ^= 1;
                break;
            case "content-size":
                frame = ChecksummedFrame(input, declaredSize: input.Length - 1);
                break;
            case "header-checksum":
                frame[14] ^= 1;
                break;
        }
        var e = Assert.Throws<KafkaProtocolException>(() => Decompress(CompressionType.Lz4, frame));
        Assert.Contains("Lz4", e.Message);
    }

    [Fact]
    public void Lz4HeaderChecksumOfKafkaBefore010IsRejectedAsBefore()
    {
        // Kafka before KIP-57 hashed the magic number into the header checksum. liblz4 rejected such
        // frames, and so does the managed decoder: a legacy message carrying one fails as corrupt.
        byte[] frame = Compress(CompressionType.Lz4, "hello, kafka"u8);
        frame[6] = (byte)(XxHash32.HashToUInt32(frame.AsSpan(0, 6)) >> 8);
        Assert.NotEqual(frame[6], (byte)(XxHash32.HashToUInt32(frame.AsSpan(4, 2)) >> 8));
        var e = Assert.Throws<KafkaProtocolException>(() => Decompress(CompressionType.Lz4, frame));
        Assert.Contains("header checksum", e.Message);
    }

    [Fact]
    public void Lz4SkippableAndConcatenatedFramesAreRead()
    {
        byte[] a = Mixed(70_000, seed: 1), b = Mixed(1_000, seed: 2);
        byte[] skippable = [0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9];
        byte[] stream = [.. skippable, .. Compress(CompressionType.Lz4, a), .. skippable, .. ChecksummedFrame(b), .. skippable];
        Assert.Equal([.. a, .. b], Decompress(CompressionType.Lz4, stream));

        byte[] overlong = [0x50, 0x2A, 0x4D, 0x18, 0xFF, 0, 0, 0, 1];
        Assert.Throws<KafkaProtocolException>(() => Decompress(CompressionType.Lz4, overlong));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Lz4BombOfLargeBlocksStopsAtTheCap(bool chainBlocks)
    {
        // 4 MiB blocks of zeros, linked or not, no content size: only the block decoder sees the size.
        byte[] zeros = new byte[40 * OneMiB];
        var frame = new ArrayBufferWriter<byte>();
        LZ4Frame.Encode(zeros, frame, new LZ4EncoderSettings { BlockSize = 4 * OneMiB, ChainBlocks = chainBlocks });

        var writer = new ArrayBufferWriter<byte>();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<KafkaProtocolException>(() => Codecs.Decompress(CompressionType.Lz4, frame.WrittenSpan, writer, OneMiB));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("limit", e.Message);
        Assert.True(writer.WrittenCount <= OneMiB);
        Assert.True(allocated < 16 * OneMiB, $"allocated {allocated} bytes before giving up");
    }

    [Fact]
    public void ZstdContextsAreReusedAcrossBatchesAndAfterCorruptInput()
    {
        byte[][] inputs = Enumerable.Range(0, 10).Select(i => Mixed(20_000 + i * 7_000, seed: i)).ToArray();
        byte[][] frames = inputs.Select(input => Compress(CompressionType.Zstd, input)).ToArray();
        // A whole frame, then a second whose header sets a reserved bit: the decoder fails mid-stream.
        byte[] corrupt = [.. frames[3], 0x28, 0xB5, 0x2F, 0xFD, 0x08, 0, 0, 0, 0];
        byte[] truncated = frames[4][..(frames[4].Length / 2)];

        for (int round = 0; round < 200; round++)
        {
            int i = round % inputs.Length;
            if (round % 7 == 3) Assert.Throws<KafkaProtocolException>(() => Decompress(CompressionType.Zstd, round % 2 == 0 ? corrupt : truncated));
            Assert.Equal(inputs[i], Decompress(CompressionType.Zstd, frames[i]));
            Assert.Equal(frames[i], Compress(CompressionType.Zstd, inputs[i]));
        }
        Assert.InRange(ZstdCodec.Decompressors.Count, 1, CodecContextPool<ZstdSharp.Decompressor>.DefaultCapacity);
        Assert.InRange(ZstdCodec.Compressors.Count, 1, CodecContextPool<ZstdSharp.Compressor>.DefaultCapacity);

        // With contexts pooled, a batch costs no context: what it allocates is small next to one.
        var output = new ArrayBufferWriter<byte>(OneMiB);
        var compressed = new ArrayBufferWriter<byte>(OneMiB);
        Codecs.Decompress(CompressionType.Zstd, frames[9], output);
        Codecs.Compress(CompressionType.Zstd, inputs[9], compressed);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            output.Clear();
            compressed.Clear();
            Codecs.Decompress(CompressionType.Zstd, frames[9], output);
            Codecs.Compress(CompressionType.Zstd, inputs[9], compressed);
        }
        long perBatch = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        Assert.True(perBatch < 4096, $"{perBatch} bytes allocated per zstd batch");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void ZstdFrameWhoseDeclaredSizeLiesIsCorrupt(int error)
    {
        // 1,000 bytes make a single-segment frame whose 2-byte content size field holds size - 256.
        byte[] frame = Compress(CompressionType.Zstd, Mixed(1_000, seed: 4));
        Assert.Equal(0x60, frame[4] & 0xE0);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(5), (ushort)(1_000 + error - 256));
        Assert.Throws<KafkaProtocolException>(() => Decompress(CompressionType.Zstd, frame));
    }

    [Fact]
    public void ZstdLevelChangesBetweenUsesOfAPooledCompressor()
    {
        byte[] input = Mixed(200_000, seed: 8);
        var fast = new ArrayBufferWriter<byte>();
        var strong = new ArrayBufferWriter<byte>();
        Codecs.Compress(CompressionType.Zstd, input, fast, level: 1);
        Codecs.Compress(CompressionType.Zstd, input, strong, level: 19);
        Assert.NotEqual(fast.WrittenSpan.ToArray(), strong.WrittenSpan.ToArray());
        Assert.Equal(input, Decompress(CompressionType.Zstd, fast.WrittenSpan));
        Assert.Equal(input, Decompress(CompressionType.Zstd, strong.WrittenSpan));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32_767)]
    [InlineData(32_768)]
    [InlineData(32_769)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(250_000)]
    public void SnappyXerialRoundTripsAcrossBlockBoundaries(int length)
    {
        byte[] input = Mixed(length, seed: length);
        byte[] compressed = Compress(CompressionType.Snappy, input);
        Assert.Equal(input, Decompress(CompressionType.Snappy, compressed));

        // Each xerial block is a raw snappy block of at most 32 KiB that Snappier reads on its own.
        int pos = SnappyCodec.XerialHeaderLength, blocks = 0;
        while (pos < compressed.Length)
        {
            int blockLength = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(pos));
            ReadOnlySpan<byte> block = compressed.AsSpan(pos + 4, blockLength);
            Assert.InRange(Snappier.Snappy.GetUncompressedLength(block), 1, SnappyCodec.XerialBlockSize);
            pos += 4 + blockLength;
            blocks++;
        }
        Assert.Equal((length + SnappyCodec.XerialBlockSize - 1) / SnappyCodec.XerialBlockSize, blocks);
    }

    /// <summary>
    /// An LZ4 frame written by hand, as no Kafka client writes one: content size, block and content
    /// checksums, a compressed block, then the rest as one stored (uncompressed) block.
    /// </summary>
    private static byte[] ChecksummedFrame(byte[] input, long? declaredSize = null)
    {
        var frame = new ArrayBufferWriter<byte>();
        // FLG: version 01, independent blocks, block checksum, content size, content checksum. BD: 64 KiB.
        byte[] descriptor = [0x7C, 0x40, 0, 0, 0, 0, 0, 0, 0, 0];
        BinaryPrimitives.WriteInt64LittleEndian(descriptor.AsSpan(2), declaredSize ?? input.Length);
        Write(frame, [0x04, 0x22, 0x4D, 0x18, .. descriptor, (byte)(XxHash32.HashToUInt32(descriptor) >> 8)]);

        int first = Math.Min(input.Length, 65_536);
        byte[] compressed = new byte[LZ4Codec.MaximumOutputSize(first)];
        int compressedLength = LZ4Codec.Encode(input.AsSpan(0, first), compressed);
        WriteBlock(frame, compressed.AsSpan(0, compressedLength), stored: false);
        for (int pos = first; pos < input.Length; pos += 65_536)
            WriteBlock(frame, input.AsSpan(pos, Math.Min(65_536, input.Length - pos)), stored: true);

        Write(frame, [0, 0, 0, 0]);
        WriteUInt32(frame, XxHash32.HashToUInt32(input));
        return frame.WrittenSpan.ToArray();
    }

    private static void WriteBlock(ArrayBufferWriter<byte> frame, ReadOnlySpan<byte> block, bool stored)
    {
        WriteUInt32(frame, (uint)block.Length | (stored ? 0x80000000 : 0));
        Write(frame, block);
        WriteUInt32(frame, XxHash32.HashToUInt32(block));
    }

    private static void WriteUInt32(ArrayBufferWriter<byte> frame, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Write(frame, bytes);
    }

    private static void Write(ArrayBufferWriter<byte> frame, ReadOnlySpan<byte> bytes) => frame.Write(bytes);
}
