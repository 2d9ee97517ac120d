namespace KafkaNative.Client;

/// <summary>Millisecond readings of a <see cref="TimeProvider"/>, for deadlines kept as plain numbers.</summary>
internal static class MonotonicClock
{
    /// <summary>
    /// Milliseconds on the provider's monotonic clock: the <see cref="Environment.TickCount64"/> of
    /// <paramref name="time"/>, so a fake clock moves deadlines kept this way too.
    /// </summary>
    public static long GetTickCount64(this TimeProvider time)
    {
        // Whole ticks per millisecond (Stopwatch counts nanoseconds on Linux, 100 ns on Windows): integer division, no TimeSpan.
        long frequency = time.TimestampFrequency;
        long timestamp = time.GetTimestamp();
        return frequency % 1000 == 0 ? timestamp / (frequency / 1000) : (long)time.GetElapsedTime(0, timestamp).TotalMilliseconds;
    }
}
