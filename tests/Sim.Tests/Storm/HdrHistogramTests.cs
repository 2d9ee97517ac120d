using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

public sealed class HdrHistogramTests
{
    [Fact]
    public void PercentilesOfUniformValuesAreWithinBucketPrecision()
    {
        var histogram = new HdrHistogram();
        for (long value = 1; value <= 100_000; value++)
            histogram.Record(value);

        Assert.Equal(100_000, histogram.TotalCount);
        AssertWithinPrecision(50_000, histogram.ValueAtPercentile(50));
        AssertWithinPrecision(99_000, histogram.ValueAtPercentile(99));
        AssertWithinPrecision(99_900, histogram.ValueAtPercentile(99.9));
        Assert.Equal(100_000, histogram.ValueAtPercentile(100));
        Assert.Equal(1, histogram.ValueAtPercentile(0));
    }

    [Fact]
    public void SmallValuesAreExact()
    {
        var histogram = new HdrHistogram();
        foreach (long value in new long[] { 3, 7, 7, 9, 200 })
            histogram.Record(value);

        Assert.Equal(3, histogram.ValueAtPercentile(20));
        Assert.Equal(7, histogram.ValueAtPercentile(60));
        Assert.Equal(9, histogram.ValueAtPercentile(80));
        Assert.Equal(200, histogram.ValueAtPercentile(99));
    }

    [Fact]
    public void KnownSkewedDataGivesTheTail()
    {
        // 990 fast answers at 2 ms and 10 timeouts at 2 s: p99 is still fast, p99.9 is the timeout.
        var histogram = new HdrHistogram();
        for (int i = 0; i < 990; i++) histogram.Record(2_000);
        for (int i = 0; i < 10; i++) histogram.Record(2_000_000);

        AssertWithinPrecision(2_000, histogram.ValueAtPercentile(50));
        AssertWithinPrecision(2_000, histogram.ValueAtPercentile(99));
        AssertWithinPrecision(2_000_000, histogram.ValueAtPercentile(99.9));
    }

    [Fact]
    public void EveryValueFallsInsideItsBucketAndBucketsAreNarrow()
    {
        var random = new DeterministicRandom(7);
        for (int i = 0; i < 100_000; i++)
        {
            long value = (long)(random.NextDouble() * 3_600_000_000);
            int index = HdrHistogram.IndexOf(value);
            long low = HdrHistogram.LowestEquivalentValue(index);
            long high = HdrHistogram.HighestEquivalentValue(index);
            Assert.InRange(value, low, high);
            Assert.True(high - low <= Math.Max(0, low / 128), $"bucket [{low}, {high}] too wide");
        }
    }

    [Fact]
    public void MemoryIsBoundedByRangeNotBySamples()
    {
        var histogram = new HdrHistogram();
        Assert.True(histogram.BucketCount < 5_000, $"{histogram.BucketCount} buckets");
        for (int i = 0; i < 1_000_000; i++)
            histogram.Record(i);
        Assert.True(histogram.BucketCount < 5_000);
    }

    [Fact]
    public void OutOfRangeValuesAreClampedAndEmptyHistogramReportsZero()
    {
        var histogram = new HdrHistogram(highestTrackableValue: 10_000);
        Assert.Equal(0, histogram.ValueAtPercentile(99));
        histogram.Record(-5);
        histogram.Record(1_000_000);

        Assert.Equal(0, histogram.ValueAtPercentile(50));
        Assert.Equal(10_000, histogram.ValueAtPercentile(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.ValueAtPercentile(101));
    }

    [Fact]
    public void ResetClears()
    {
        var histogram = new HdrHistogram();
        histogram.Record(100);
        histogram.Reset();

        Assert.Equal(0, histogram.TotalCount);
        Assert.Equal(0, histogram.ValueAtPercentile(50));
        histogram.Record(300);
        Assert.Equal(300, histogram.ValueAtPercentile(1));
    }

    private static void AssertWithinPrecision(long expected, long actual) =>
        Assert.True(Math.Abs(actual - expected) <= expected / 128 + 1, $"expected about {expected}, got {actual}");
}
