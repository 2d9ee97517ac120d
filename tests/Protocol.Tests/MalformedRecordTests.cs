using System.Buffers.Binary;
using KafkaNative.Protocol.Records;
using static KafkaNative.Protocol.Tests.RecordTestHelpers;

namespace KafkaNative.Protocol.Tests;

public class MalformedRecordTests
{
    // A valid record: length 8, attributes, ts delta 0, offset delta 0, key "k", value "v", no headers.
    private static readonly byte[] ValidRecord = [0x10, 0, 0, 0, 0x02, (byte)'k', 0x02, (byte)'v', 0];

    /// <summary>A magic 2 batch around arbitrary record bytes, with a correct length and CRC.</summary>
    private static byte[] Batch(byte[] records, int count, short attributes = 0)
    {
        var batch = new byte[61 + records.Length];
        var s = batch.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(s[8..], batch.Length - 12);
        BinaryPrimitives.WriteInt32BigEndian(s[12..], -1);
        s[16] = 2;
        BinaryPrimitives.WriteInt16BigEndian(s[21..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(s[23..], Math.Max(count - 1, 0));
        BinaryPrimitives.WriteInt64BigEndian(s[43..], -1);
        BinaryPrimitives.WriteInt16BigEndian(s[51..], -1);
        BinaryPrimitives.WriteInt32BigEndian(s[53..], -1);
        BinaryPrimitives.WriteInt32BigEndian(s[57..], count);
        records.CopyTo(s[61..]);
        FixCrc(batch);
        return batch;
    }

    private static KafkaProtocolException Fails(byte[] input, bool strict = false)
    {
        using var reader = new RecordBatchReader { AllowPartialTrailingBatch = !strict };
        return Assert.Throws<KafkaProtocolException>(() => ReadBatches(reader, input));
    }

    [Fact]
    public void HelperBuildsAValidBatch()
    {
        using var reader = new RecordBatchReader();
        Assert.Single(Assert.Single(ReadBatches(reader, Batch(ValidRecord, 1))).Records);
    }

    [Fact]
    public void WrongCrc()
    {
        byte[] batch = Batch(ValidRecord, 1);
        batch[^1] ^= 1;
        var ex = Fails(batch);
        Assert.Equal("crc", ex.Field);
        Assert.Equal(17, ex.Offset);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(13)]
    public void BatchLengthTooSmall(int length)
    {
        byte[] batch = Batch(ValidRecord, 1);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), length);
        var ex = Fails(batch);
        Assert.Equal("batchLength", ex.Field);
        Assert.Equal(8, ex.Offset);
    }

    [Fact]
    public void BatchLengthTooSmallForMagic2Header()
    {
        byte[] batch = Batch(ValidRecord, 1);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), 30);
        Assert.Equal("batchLength", Fails(batch).Field);
    }

    [Fact]
    public void BatchLengthBeyondInputWhenStrict()
    {
        byte[] batch = Batch(ValidRecord, 1);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), int.MaxValue);
        Assert.Equal("batchLength", Fails(batch, strict: true).Field);
        using var lenient = new RecordBatchReader();
        Assert.Empty(ReadBatches(lenient, batch)); // a partial trailing batch, as far as anyone can tell
    }

    [Fact]
    public void TruncatedHeaderWhenStrict() => Assert.Equal("baseOffset", Fails(new byte[11], strict: true).Field);

    [Theory]
    [InlineData((byte)3)]
    [InlineData((byte)0xFF)]
    public void UnknownMagic(byte magic)
    {
        byte[] batch = Batch(ValidRecord, 1);
        batch[16] = magic;
        var ex = Fails(batch);
        Assert.Equal("magic", ex.Field);
        Assert.Equal(16, ex.Offset);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void UnknownCompression(short codec) => Assert.Equal("attributes", Fails(Batch(ValidRecord, 1, codec)).Field);

    [Fact]
    public void NegativeRecordCount()
    {
        var ex = Fails(Batch(ValidRecord, -1));
        Assert.Equal("recordsCount", ex.Field);
        Assert.Equal(57, ex.Offset);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(int.MaxValue)]
    public void RecordCountLargerThanPossible(int count) => Assert.Equal("recordsCount", Fails(Batch(ValidRecord, count)).Field);

    [Fact]
    public void RecordsEndBeforeTheCount()
    {
        // Count 2 fits 14 bytes, but the second record is cut short.
        byte[] records = [.. ValidRecord, 0x10, 0, 0, 0, 0x02];
        var ex = Fails(Batch(records, 2));
        Assert.Equal("recordLength", ex.Field);
        Assert.Equal(61 + 9, ex.Offset);
    }

    [Fact]
    public void BytesAfterTheLastRecord()
    {
        var ex = Fails(Batch([.. ValidRecord, 0, 0, 0, 0, 0, 0, 0], 1));
        Assert.Equal("records", ex.Field);
        Assert.Equal(61 + 9, ex.Offset);
    }

    [Fact]
    public void RecordLengthBeyondBatch()
    {
        byte[] record = (byte[])ValidRecord.Clone();
        record[0] = 0x7E; // 63
        Assert.Equal("recordLength", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void NegativeRecordLength()
    {
        byte[] record = (byte[])ValidRecord.Clone();
        record[0] = 0x01; // -1
        Assert.Equal("recordLength", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void VarintTooLong()
    {
        byte[] records = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
        var ex = Fails(Batch(records, 1));
        Assert.Equal("recordLength", ex.Field);
        Assert.Contains("Varint longer", ex.Message);
    }

    [Fact]
    public void VarlongTooLong()
    {
        // Record length 14: attributes, then an 11-byte timestamp delta.
        byte[] records = [0x1C, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0];
        Assert.Equal("timestampDelta", Fails(Batch(records, 1)).Field);
    }

    [Fact]
    public void KeyLengthBeyondRecord()
    {
        byte[] record = (byte[])ValidRecord.Clone();
        record[4] = 0x40; // key length 32
        var ex = Fails(Batch(record, 1));
        Assert.Equal("keyLength", ex.Field);
        Assert.Equal(61 + 4, ex.Offset);
    }

    [Fact]
    public void NegativeKeyLength()
    {
        byte[] record = (byte[])ValidRecord.Clone();
        record[4] = 0x03; // -2
        Assert.Equal("keyLength", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void ValueLengthBeyondRecord()
    {
        byte[] record = (byte[])ValidRecord.Clone();
        record[6] = 0x06; // value length 3
        Assert.Equal("valueLength", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void NegativeHeaderCount()
    {
        byte[] record = (byte[])ValidRecord.Clone();
        record[8] = 0x01; // -1
        Assert.Equal("headerCount", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void HeaderCountLargerThanPossible()
    {
        byte[] record = (byte[])ValidRecord.Clone();
        record[8] = 0x02; // 1 header, no bytes left
        Assert.Equal("headerCount", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void NegativeHeaderKeyLength()
    {
        // Record: ..., header count 1, key length -1, value length -1.
        byte[] record = [0x14, 0, 0, 0, 0x02, (byte)'k', 0x02, (byte)'v', 0x02, 0x01, 0x01];
        Assert.Equal("headerKeyLength", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void HeaderValueLengthBeyondRecord()
    {
        byte[] record = [0x16, 0, 0, 0, 0x02, (byte)'k', 0x02, (byte)'v', 0x02, 0x02, (byte)'h', 0x7E];
        Assert.Equal("headerValueLength", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void BytesLeftInsideARecord()
    {
        byte[] record = [0x12, 0, 0, 0, 0x02, (byte)'k', 0x02, (byte)'v', 0, 0xAA];
        Assert.Equal("record", Fails(Batch(record, 1)).Field);
    }

    [Fact]
    public void MalformedControlKey()
    {
        byte[] record = (byte[])ValidRecord.Clone(); // key "k": too short for version + type
        using var reader = new RecordBatchReader();
        byte[] batch = Batch(record, 1, attributes: 0x20);
        Assert.Throws<KafkaProtocolException>(() =>
        {
            foreach (RecordBatch b in reader.Read(batch)) _ = b.ControlType;
        });
    }

    [Fact]
    public void RandomCorruptionOnlyEverThrowsProtocolExceptions()
    {
        using var builder = new RecordBatchBuilder();
        RecordHeader[] headers = [new("h1", new byte[] { 1, 2 }), new("h2", null)];
        for (int i = 0; i < 20; i++) builder.Append(1000 + i, new byte[i], new byte[i * 3], headers, keyIsNull: i % 5 == 0);
        byte[] valid = builder.Build().ToArray();
        byte[] legacy = LegacyMessage(0, 1, 0, 1, "k"u8.ToArray(), "v"u8.ToArray());
        byte[] input = [.. valid, .. legacy, .. valid];

        var random = new Random(12345);
        // Flipped attribute bits reach the codecs: the fake stands in until the real ones land.
        using var reader = new RecordBatchReader { VerifyCrc = false, Codec = new FakeCodec() };
        for (int iteration = 0; iteration < 5000; iteration++)
        {
            byte[] corrupt = (byte[])input.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++) corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            int length = random.Next(4) == 0 ? random.Next(corrupt.Length) : corrupt.Length;
            try
            {
                foreach (RecordBatch batch in reader.Read(corrupt.AsMemory(0, length)))
                {
                    foreach (var record in batch)
                    {
                        _ = record.KeySpan.Length + record.ValueSpan.Length;
                        foreach (RecordHeaderView header in record.Headers) _ = header.KeyUtf8.Length;
                    }
                }
            }
            catch (KafkaProtocolException)
            {
            }
        }
    }
}
