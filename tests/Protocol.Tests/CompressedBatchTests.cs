using System.Buffers.Binary;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;
using static KafkaNative.Protocol.Tests.RecordTestHelpers;

namespace KafkaNative.Protocol.Tests;

public class CompressedBatchTests
{
    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void CompressedBatchGoesThroughTheCodecWithItsType(CompressionType type)
    {
        var codec = new FakeCodec();
        using var builder = new RecordBatchBuilder { Codec = codec, Compression = type, CompressionLevel = 3 };
        builder.BaseOffset = 50;
        for (int i = 0; i < 100; i++) builder.Append(1000 + i, BitConverter.GetBytes(i), new byte[i], [new("h", null)]);
        byte[] batch = builder.Build().ToArray();
        Assert.Equal([("compress", type)], codec.Calls);
        Assert.Equal((int)type, BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(21)) & 7);
        Assert.Equal(Crc32C.Compute(batch.AsSpan(21)), BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(17)));

        using var reader = new RecordBatchReader { Codec = codec };
        var (header, records) = Assert.Single(ReadBatches(reader, batch));
        Assert.Equal(type, header.Compression);
        Assert.Equal(100, header.RecordCount);
        Assert.Equal(99, header.LastOffsetDelta);
        Assert.Equal(1099, header.MaxTimestamp);
        Assert.Equal([("compress", type), ("decompress", type)], codec.Calls);
        Assert.Equal(Enumerable.Range(50, 100).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal(new byte[42], records[42].Value);
        Assert.Equal(BitConverter.GetBytes(42), records[42].Key);
    }

    [Fact]
    public void HeaderIsReadWithoutDecompressing()
    {
        var codec = new FakeCodec();
        using var builder = new RecordBatchBuilder { Codec = codec, Compression = CompressionType.Zstd, IsTransactional = true, ProducerId = 3 };
        builder.Append(1, "k"u8, "v"u8);
        using var reader = new RecordBatchReader { Codec = codec };
        foreach (RecordBatch batch in reader.Read(builder.Build()))
        {
            Assert.True(batch.Header.IsTransactional);
            Assert.Equal(3, batch.Header.ProducerId);
        }
        Assert.DoesNotContain(codec.Calls, c => c.Operation == "decompress");
    }

    [Fact]
    public void DecompressedSizeLimitIsEnforced()
    {
        var codec = new FakeCodec();
        using var builder = new RecordBatchBuilder { Codec = codec, Compression = CompressionType.Lz4 };
        for (int i = 0; i < 10; i++) builder.Append(1, default, new byte[1000], keyIsNull: true);
        using var reader = new RecordBatchReader { Codec = codec, MaxDecompressedBytes = 5000 };
        Assert.Throws<KafkaProtocolException>(() => ReadBatches(reader, builder.Build()));
        reader.MaxDecompressedBytes = 20_000;
        Assert.Equal(10, Assert.Single(ReadBatches(reader, builder.Build())).Records.Count);
    }

    [Fact]
    public void RecordCountBeyondDecompressionLimitIsRejectedBeforeDecompressing()
    {
        var codec = new FakeCodec();
        using var builder = new RecordBatchBuilder { Codec = codec, Compression = CompressionType.Snappy };
        builder.Append(1, "k"u8, "v"u8);
        byte[] batch = builder.Build().ToArray();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), 1_000_000_000);
        FixCrc(batch);
        using var reader = new RecordBatchReader { Codec = codec };
        Assert.Equal("recordsCount", Assert.Throws<KafkaProtocolException>(() => ReadBatches(reader, batch)).Field);
        Assert.DoesNotContain(codec.Calls, c => c.Operation == "decompress");
    }

    [Fact]
    public void CorruptGzipBecomesAProtocolException()
    {
        var codec = new FakeCodec();
        using var builder = new RecordBatchBuilder { Codec = codec, Compression = CompressionType.Gzip };
        builder.Append(1, "k"u8, "v"u8);
        byte[] batch = builder.Build().ToArray();
        for (int i = 61 + 10; i < batch.Length - 8; i++) batch[i] ^= 0x5A;
        FixCrc(batch);
        using var reader = new RecordBatchReader { Codec = codec };
        Assert.Throws<KafkaProtocolException>(() => ReadBatches(reader, batch));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void RealCodecsRoundTrip(CompressionType type)
    {
        using var builder = new RecordBatchBuilder { Compression = type };
        for (int i = 0; i < 500; i++) builder.Append(i, BitConverter.GetBytes(i), new byte[100]);
        using var reader = new RecordBatchReader();
        var (header, records) = Assert.Single(ReadBatches(reader, builder.Build()));
        Assert.Equal(type, header.Compression);
        Assert.Equal(500, records.Count);
        Assert.Equal(BitConverter.GetBytes(499), records[499].Key);
    }
}
