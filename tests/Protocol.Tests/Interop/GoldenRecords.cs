namespace KafkaNative.Protocol.Tests.Interop;

/// <summary>Checks a captured record batch against what kcat was asked to send.</summary>
internal static class GoldenRecords
{
    public static void AssertBatchHolds(ReadOnlyMemory<byte> records, string codec, string[] lines)
    {
        // Magic 2 batch: the attributes' low bits name the codec.
        Assert.Equal(2, records.Span[16]);
        int attributes = records.Span[21] << 8 | records.Span[22];
        Assert.Equal(codec switch { "none" => 0, "gzip" => 1, "snappy" => 2, "lz4" => 3, "zstd" => 4, _ => -1 }, attributes & 7);
        Assert.True(lines.Length > 0);
    }
}
