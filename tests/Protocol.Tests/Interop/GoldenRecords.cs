using System.Text;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Protocol.Tests.Interop;

/// <summary>Checks captured record data against the "key:value" lines kcat was asked to send.</summary>
internal static class GoldenRecords
{
    public static CompressionType Codec(string name) => name switch
    {
        "none" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Decodes every batch (CRC checked) and compares each record with its line, in order.</summary>
    public static void AssertHolds(ReadOnlyMemory<byte> records, byte magic, CompressionType codec, string[] lines)
    {
        using var reader = new RecordBatchReader();
        int index = 0;
        foreach (RecordBatch batch in reader.Read(records))
        {
            RecordBatchHeader header = batch.Header;
            Assert.Equal(magic, header.Magic);
            Assert.Equal(codec, header.Compression);
            Assert.False(header.IsControl);
            Assert.False(header.IsTransactional);
            if (magic == 2)
            {
                Assert.Equal(-1, header.ProducerId);
                Assert.Equal(-1, header.ProducerEpoch);
                Assert.Equal(-1, header.BaseSequence);
                Assert.Equal(header.RecordCount - 1, header.LastOffsetDelta);
                Assert.True(header.MaxTimestamp >= header.BaseTimestamp);
                Assert.Equal(TimestampType.CreateTime, header.TimestampType);
            }

            foreach (var record in batch)
            {
                Assert.True(index < lines.Length, "more records than lines");
                string[] parts = lines[index].Split(':', 2);
                Assert.Equal(parts[0], Encoding.UTF8.GetString(record.KeySpan));
                Assert.Equal(parts[1], Encoding.UTF8.GetString(record.ValueSpan));
                Assert.Equal(0, record.Headers.Count);
                if (magic > 0) Assert.InRange(record.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
                index++;
            }
        }
        Assert.Equal(lines.Length, index);
    }
}
