namespace KafkaNative.Interop.Tests;

/// <summary>Comparing what a writer was told with what a reader read.</summary>
internal static class RecordAssert
{
    /// <summary>Each partition's records arrive exactly as written, in order, at the offsets the writer was told; partitions may interleave.</summary>
    public static void SamePerPartition(IReadOnlyList<SampleRecord> sent, IReadOnlyList<long> offsets, IReadOnlyList<(SampleRecord Record, long Offset)> read)
    {
        Assert.Equal(sent.Count, offsets.Count);
        foreach (int partition in sent.Select(r => r.Partition).Distinct())
        {
            var expected = sent.Select((r, i) => (r, offsets[i])).Where(x => x.r.Partition == partition).Select(x => $"@{x.Item2} {x.r}");
            var actual = read.Where(x => x.Record.Partition == partition).Select(x => $"@{x.Offset} {x.Record}");
            Assert.Equal(expected, actual);
        }
        Assert.Equal(sent.Count, read.Count);
    }
}
