using System.Buffers.Binary;
using System.Text;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;
using static KafkaNative.Protocol.Tests.RecordTestHelpers;
using Record = KafkaNative.Protocol.Records.Record;

namespace KafkaNative.Protocol.Tests;

public class RecordBatchTests
{
    // One record, key "k", value "v", timestamp 1000, no producer: built by hand from the spec.
    private static readonly byte[] GoldenBatch =
    [
        0, 0, 0, 0, 0, 0, 0, 0,             // baseOffset
        0, 0, 0, 58,                         // batchLength
        0xFF, 0xFF, 0xFF, 0xFF,              // partitionLeaderEpoch -1
        2,                                   // magic
        0x71, 0x6A, 0x61, 0x89,              // crc (CRC-32C of everything after it)
        0, 0,                                // attributes
        0, 0, 0, 0,                          // lastOffsetDelta
        0, 0, 0, 0, 0, 0, 0x03, 0xE8,        // baseTimestamp 1000
        0, 0, 0, 0, 0, 0, 0x03, 0xE8,        // maxTimestamp 1000
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // producerId -1
        0xFF, 0xFF,                          // producerEpoch -1
        0xFF, 0xFF, 0xFF, 0xFF,              // baseSequence -1
        0, 0, 0, 1,                          // records count
        0x10,                                // record length 8 (zig-zag)
        0,                                   // record attributes
        0,                                   // timestampDelta 0
        0,                                   // offsetDelta 0
        0x02, (byte)'k',                     // key length 1, key
        0x02, (byte)'v',                     // value length 1, value
        0,                                   // header count
    ];

    [Fact]
    public void BuilderWritesGoldenBytes()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1000, "k"u8, "v"u8);
        Assert.Equal(GoldenBatch, builder.Build().ToArray());

        var output = new PooledBufferWriter();
        Assert.Equal(GoldenBatch.Length, builder.WriteTo(output));
        Assert.Equal(GoldenBatch, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void ReaderDecodesGoldenBytes()
    {
        using var reader = new RecordBatchReader();
        var batches = ReadBatches(reader, GoldenBatch);
        var (header, records) = Assert.Single(batches);
        Assert.Equal(0, header.BaseOffset);
        Assert.Equal(58, header.BatchLength);
        Assert.Equal(-1, header.PartitionLeaderEpoch);
        Assert.Equal(2, header.Magic);
        Assert.Equal(0x716A6189u, header.Crc);
        Assert.Equal(CompressionType.None, header.Compression);
        Assert.Equal(TimestampType.CreateTime, header.TimestampType);
        Assert.False(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.Equal(1, header.RecordCount);
        var record = Assert.Single(records);
        Assert.Equal(0, record.Offset);
        Assert.Equal(1000, record.Timestamp);
        Assert.Equal("k"u8.ToArray(), record.Key);
        Assert.Equal("v"u8.ToArray(), record.Value);
        Assert.Empty(record.Headers);
    }

    [Fact]
    public void RoundTripsEveryField()
    {
        using var builder = new RecordBatchBuilder(initialCapacity: 64);
        builder.BaseOffset = 1_234_567_890_123;
        builder.PartitionLeaderEpoch = 42;
        builder.ProducerId = 987_654_321_000;
        builder.ProducerEpoch = 7;
        builder.BaseSequence = 1_000_000;
        builder.IsTransactional = true;

        long baseTime = 1_700_000_000_000;
        RecordHeader[] headers =
        [
            new("trace-id", "abc"u8.ToArray()),
            new("nullable", null),
            new("empty", ReadOnlyMemory<byte>.Empty),
            new("ünïcode-ключ", new byte[] { 0, 1, 2 }),
        ];
        builder.Append(baseTime, "key-1"u8, "value-1"u8, headers);
        builder.Append(baseTime - 5_000, default, "value-no-key"u8, keyIsNull: true);         // negative delta
        builder.Append(baseTime + 10, "tombstone"u8, default, valueIsNull: true);
        builder.Append(baseTime + 20, ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty);   // empty, not null
        builder.Append(long.MaxValue / 2, default, default, keyIsNull: true, valueIsNull: true); // huge delta
        Assert.Equal(5, builder.Count);

        using var reader = new RecordBatchReader();
        var (header, records) = Assert.Single(ReadBatches(reader, builder.Build()));
        Assert.Equal(1_234_567_890_123, header.BaseOffset);
        Assert.Equal(42, header.PartitionLeaderEpoch);
        Assert.Equal(987_654_321_000, header.ProducerId);
        Assert.Equal(7, header.ProducerEpoch);
        Assert.Equal(1_000_000, header.BaseSequence);
        Assert.True(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.False(header.HasDeleteHorizon);
        Assert.Equal(4, header.LastOffsetDelta);
        Assert.Equal(1_234_567_890_127, header.LastOffset);
        Assert.Equal(1_234_567_890_128, header.NextOffset);
        Assert.Equal(baseTime, header.BaseTimestamp);
        Assert.Equal(long.MaxValue / 2, header.MaxTimestamp);
        Assert.Equal(5, header.RecordCount);
        Assert.Equal(builder.Build().Length - 12, header.BatchLength);

        Assert.Equal(5, records.Count);
        Assert.Equal(1_234_567_890_123, records[0].Offset);
        Assert.Equal(baseTime, records[0].Timestamp);
        Assert.Equal("key-1"u8.ToArray(), records[0].Key);
        Assert.Equal("value-1"u8.ToArray(), records[0].Value);
        Assert.Equal(4, records[0].Headers.Length);
        Assert.Equal("trace-id", records[0].Headers[0].Key);
        Assert.Equal("abc"u8.ToArray(), records[0].Headers[0].Value);
        Assert.Equal("nullable", records[0].Headers[1].Key);
        Assert.Null(records[0].Headers[1].Value);
        Assert.Equal(Array.Empty<byte>(), records[0].Headers[2].Value);
        Assert.Equal("ünïcode-ключ", records[0].Headers[3].Key);
        Assert.Equal(new byte[] { 0, 1, 2 }, records[0].Headers[3].Value);

        Assert.Equal(baseTime - 5_000, records[1].Timestamp);
        Assert.Null(records[1].Key);
        Assert.Equal("value-no-key"u8.ToArray(), records[1].Value);

        Assert.Equal("tombstone"u8.ToArray(), records[2].Key);
        Assert.Null(records[2].Value);

        Assert.NotNull(records[3].Key);
        Assert.Empty(records[3].Key!);
        Assert.NotNull(records[3].Value);
        Assert.Empty(records[3].Value!);

        Assert.Equal(long.MaxValue / 2, records[4].Timestamp);
        Assert.Null(records[4].Key);
        Assert.Null(records[4].Value);
        for (int i = 0; i < records.Count; i++) Assert.Equal(1_234_567_890_123 + i, records[i].Offset);
    }

    [Fact]
    public void RecordExposesSpansAndNullFlags()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(5, default, "v"u8, keyIsNull: true);
        builder.Append(6, ReadOnlySpan<byte>.Empty, default, valueIsNull: true);
        using var reader = new RecordBatchReader();
        int n = 0;
        foreach (RecordBatch batch in reader.Read(builder.Build()))
        {
            foreach (Record record in batch)
            {
                if (n++ == 0)
                {
                    Assert.True(record.IsKeyNull);
                    Assert.Equal(-1, record.KeyLength);
                    Assert.True(record.KeySpan.IsEmpty);
                    Assert.False(record.IsValueNull);
                    Assert.True(record.ValueSpan.SequenceEqual("v"u8));
                    Assert.Equal(TimestampType.CreateTime, record.TimestampType);
                    Assert.Equal(0, record.Headers.Count);
                }
                else
                {
                    Assert.False(record.IsKeyNull);
                    Assert.Equal(0, record.KeyLength);
                    Assert.True(record.IsValueNull);
                    Assert.Equal(-1, record.ValueLength);
                }
            }
        }
        Assert.Equal(2, n);
    }

    [Fact]
    public void ManyRecordsAndSeveralBatchesRoundTrip()
    {
        using var builder = new RecordBatchBuilder();
        var output = new PooledBufferWriter();
        var expected = new List<TestRecord>();
        long offset = 100;
        for (int b = 0; b < 3; b++)
        {
            builder.Reset();
            builder.BaseOffset = offset;
            int count = b switch { 0 => 1, 1 => 5_000, _ => 300 };
            for (int i = 0; i < count; i++)
            {
                byte[] key = Encoding.UTF8.GetBytes($"key-{b}-{i}");
                byte[] value = new byte[i % 300];
                new Random(i).NextBytes(value);
                long ts = 1_600_000_000_000 + (i * 7919 % 1000) - 500;
                builder.Append(ts, key, value);
                expected.Add(new TestRecord(offset + i, ts, key, value, []));
            }
            builder.WriteTo(output);
            offset += count;
        }

        using var reader = new RecordBatchReader();
        var batches = ReadBatches(reader, output.WrittenMemory);
        Assert.Equal(3, batches.Count);
        Assert.Equal(new[] { 1, 5_000, 300 }, batches.Select(b => b.Header.RecordCount));
        Assert.Equal(new[] { 100L, 101L, 5_101L }, batches.Select(b => b.Header.BaseOffset));
        var actual = batches.SelectMany(b => b.Records).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Offset, actual[i].Offset);
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            Assert.Equal(expected[i].Key, actual[i].Key);
            Assert.Equal(expected[i].Value, actual[i].Value);
        }
        Assert.Equal(expected.Where((_, i) => i >= 1 && i < 5_001).Max(r => r.Timestamp), batches[1].Header.MaxTimestamp);
    }

    [Fact]
    public void PartialTrailingBatchIsIgnored()
    {
        using var builder = new RecordBatchBuilder();
        var output = new PooledBufferWriter();
        builder.Append(1, "a"u8, "1"u8);
        builder.WriteTo(output);
        builder.Reset();
        builder.BaseOffset = 1;
        builder.Append(2, "b"u8, "2"u8);
        builder.Append(3, "c"u8, "3"u8);
        builder.WriteTo(output);
        byte[] full = output.WrittenSpan.ToArray();
        int firstLength = GoldenLength(full);

        using var reader = new RecordBatchReader();
        // Cut the second batch at every possible point: only the first batch is returned.
        for (int cut = firstLength; cut < full.Length; cut++)
        {
            var enumerator = reader.Read(full.AsMemory(0, cut));
            Assert.True(enumerator.MoveNext());
            Assert.Equal(0, enumerator.Current.Header.BaseOffset);
            Assert.False(enumerator.MoveNext());
            Assert.Equal(cut > firstLength, enumerator.EndedWithPartialBatch);
            Assert.Equal(firstLength, enumerator.BytesConsumed);
        }
        Assert.Equal(2, ReadBatches(reader, full).Count);
        // Only a partial batch: nothing.
        Assert.Empty(ReadBatches(reader, full.AsMemory(0, firstLength - 1)));

        reader.AllowPartialTrailingBatch = false;
        var ex = Assert.Throws<KafkaProtocolException>(() => ReadBatches(reader, full.AsMemory(0, full.Length - 1)));
        Assert.Equal("batchLength", ex.Field);
        Assert.Equal(firstLength + 8, ex.Offset);
    }

    [Fact]
    public void ControlBatchIsRecognised()
    {
        using var builder = new RecordBatchBuilder();
        builder.ProducerId = 5;
        builder.ProducerEpoch = 1;
        builder.IsTransactional = true;
        builder.IsControl = true;
        byte[] commitKey = [0, 0, 0, 1];        // version 0, type 1 = COMMIT
        byte[] markerValue = [0, 0, 0, 0, 0, 3]; // version 0, coordinator epoch 3
        builder.Append(10, commitKey, markerValue);
        var output = new PooledBufferWriter();
        builder.WriteTo(output);

        builder.Reset();
        builder.BaseOffset = 1;
        builder.Append(11, new byte[] { 0, 0, 0, 0 }, markerValue); // ABORT
        builder.WriteTo(output);

        using var reader = new RecordBatchReader();
        var types = new List<ControlRecordType>();
        foreach (RecordBatch batch in reader.Read(output.WrittenMemory))
        {
            Assert.True(batch.Header.IsControl);
            Assert.True(batch.Header.IsTransactional);
            Assert.Equal(5, batch.Header.ProducerId);
            types.Add(batch.ControlType);
            foreach (Record record in batch)
            {
                Assert.True(record.IsControl);
                Assert.Equal(batch.ControlType, record.GetControlRecordType());
            }
        }
        Assert.Equal([ControlRecordType.Commit, ControlRecordType.Abort], types);
    }

    [Fact]
    public void NonControlBatchHasUnknownControlType()
    {
        using var reader = new RecordBatchReader();
        foreach (RecordBatch batch in reader.Read(GoldenBatch))
        {
            Assert.Equal(ControlRecordType.Unknown, batch.ControlType);
            foreach (Record record in batch) Assert.False(record.IsControl);
        }
    }

    [Fact]
    public void LogAppendTimeUsesMaxTimestamp()
    {
        using var builder = new RecordBatchBuilder();
        builder.TimestampType = TimestampType.LogAppendTime;
        builder.Append(500, "a"u8, "1"u8);
        builder.Append(900, "b"u8, "2"u8);
        builder.Append(700, "c"u8, "3"u8);
        using var reader = new RecordBatchReader();
        var (header, records) = Assert.Single(ReadBatches(reader, builder.Build()));
        Assert.Equal(TimestampType.LogAppendTime, header.TimestampType);
        Assert.Equal(900, header.MaxTimestamp);
        Assert.All(records, r => Assert.Equal(900, r.Timestamp));
        foreach (RecordBatch batch in reader.Read(builder.Build()))
            foreach (Record r in batch) Assert.Equal(TimestampType.LogAppendTime, r.TimestampType);
    }

    [Fact]
    public void DeleteHorizonFlagIsExposed()
    {
        byte[] batch = (byte[])GoldenBatch.Clone();
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(21), 0x40);
        FixCrc(batch);
        using var reader = new RecordBatchReader();
        var (header, records) = Assert.Single(ReadBatches(reader, batch));
        Assert.True(header.HasDeleteHorizon);
        Assert.Equal(1000, Assert.Single(records).Timestamp);
    }

    [Fact]
    public void ResetKeepsSettingsAndStartsANewBatch()
    {
        using var builder = new RecordBatchBuilder();
        builder.ProducerId = 9;
        builder.Append(1, "x"u8, "y"u8);
        builder.Append(2, "x"u8, "y"u8);
        builder.Reset();
        Assert.Equal(0, builder.Count);
        Assert.Equal(-1, builder.BaseTimestamp);
        Assert.Throws<InvalidOperationException>(() => builder.Build());
        builder.Append(1000, "k"u8, "v"u8);
        builder.ProducerId = -1;
        Assert.Equal(GoldenBatch, builder.Build().ToArray());
        Assert.Equal(GoldenBatch.Length, builder.SizeInBytes);
    }

    [Fact]
    public void EstimateIsAnUpperBound()
    {
        using var builder = new RecordBatchBuilder();
        RecordHeader[] headers = [new("h", new byte[10]), new("n", null)];
        int before = builder.SizeInBytes;
        builder.Append(long.MinValue / 4, new byte[200], new byte[3000], headers);
        Assert.True(builder.SizeInBytes - before <= RecordBatchBuilder.EstimateRecordSize(200, 3000, headers));
    }

    [Fact]
    public void HeaderWithNullKeyIsRejected()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<ArgumentException>(() => builder.Append(1, "k"u8, "v"u8, [default]));
        Assert.Equal(0, builder.Count);
    }

    [Fact]
    public void CrcCheckCanBeTurnedOff()
    {
        byte[] batch = (byte[])GoldenBatch.Clone();
        batch[17] ^= 0xFF;
        using var reader = new RecordBatchReader();
        Assert.Throws<KafkaProtocolException>(() => ReadBatches(reader, batch));
        reader.VerifyCrc = false;
        Assert.Single(ReadBatches(reader, batch));
    }

    [Fact]
    public void StreamOffsetIsAddedToErrorOffsets()
    {
        byte[] batch = (byte[])GoldenBatch.Clone();
        batch[17] ^= 0xFF;
        using var reader = new RecordBatchReader();
        var ex = Assert.Throws<KafkaProtocolException>(() => { foreach (var _ in reader.Read(batch, streamOffset: 1000)) { } });
        Assert.Equal("crc", ex.Field);
        Assert.Equal(1017, ex.Offset);
    }

    private static int GoldenLength(byte[] batches) => 12 + BinaryPrimitives.ReadInt32BigEndian(batches.AsSpan(8));
}
