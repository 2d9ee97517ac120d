using System.Numerics;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// HDR-style histogram of non-negative integer values (here: microseconds). Log-linear buckets: values below
/// 256 are exact, above that every power of two is split into 128 linear sub-buckets, so any recorded value
/// is reported within 1/128 (under 0.8 %) and memory is fixed by the highest trackable value, not by the
/// number of samples.
/// </summary>
internal sealed class HdrHistogram
{
    private const int SubBucketBits = 8;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int SubBucketHalfCount = SubBucketCount / 2;

    private readonly long[] counts;
    private long min = long.MaxValue;
    private long max;

    public HdrHistogram(long highestTrackableValue = 3_600_000_000)
    {
        if (highestTrackableValue < SubBucketCount)
            throw new ArgumentOutOfRangeException(nameof(highestTrackableValue), "must be at least 256");
        HighestTrackableValue = highestTrackableValue;
        counts = new long[IndexOf(highestTrackableValue) + 1];
    }

    public long HighestTrackableValue { get; }

    public long TotalCount { get; private set; }

    public int BucketCount => counts.Length;

    public long Min => TotalCount == 0 ? 0 : min;

    public long Max => max;

    /// <summary>Records a value; values above the trackable range are clamped to it, negatives to zero.</summary>
    public void Record(long value)
    {
        value = Math.Clamp(value, 0, HighestTrackableValue);
        counts[IndexOf(value)]++;
        TotalCount++;
        if (value < min) min = value;
        if (value > max) max = value;
    }

    /// <summary>
    /// The smallest recorded value (to bucket precision) such that <paramref name="percentile"/> percent of
    /// values are at or below it.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (percentile is < 0 or > 100 || double.IsNaN(percentile))
            throw new ArgumentOutOfRangeException(nameof(percentile), "must be within 0..100");
        if (TotalCount == 0)
            return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * TotalCount));
        long seen = 0;
        for (int index = 0; index < counts.Length; index++)
        {
            seen += counts[index];
            if (seen >= rank)
                return Math.Clamp(HighestEquivalentValue(index), Min, max);
        }
        return max;
    }

    public void Reset()
    {
        Array.Clear(counts);
        TotalCount = 0;
        min = long.MaxValue;
        max = 0;
    }

    internal static int IndexOf(long value)
    {
        if (value < SubBucketCount)
            return (int)value;
        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value) - (SubBucketBits - 1);
        long subBucket = value >> exponent;
        return SubBucketCount + (exponent - 1) * SubBucketHalfCount + (int)(subBucket - SubBucketHalfCount);
    }

    internal static long LowestEquivalentValue(int index)
    {
        if (index < SubBucketCount)
            return index;
        int exponent = (index - SubBucketCount) / SubBucketHalfCount + 1;
        long subBucket = (index - SubBucketCount) % SubBucketHalfCount + SubBucketHalfCount;
        return subBucket << exponent;
    }

    internal static long HighestEquivalentValue(int index)
    {
        if (index < SubBucketCount)
            return index;
        int exponent = (index - SubBucketCount) / SubBucketHalfCount + 1;
        return LowestEquivalentValue(index) + (1L << exponent) - 1;
    }
}
