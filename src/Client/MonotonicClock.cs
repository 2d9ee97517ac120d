namespace KafkaNative.Client;

/// <summary>Millisecond readings of a <see cref="TimeProvider"/>, for deadlines kept as plain numbers.</summary>
internal static class MonotonicClock
{
    /// <summary>
    /// Milliseconds on the provider's monotonic clock: the <see cref="Environment.TickCount64"/> of
    /// <paramref name="time"/>, so a fake clock moves deadlines kept this way too.
    /// </summary>
    public static long GetTickCount64(this TimeProvider time) => (long)time.GetElapsedTime(0, time.GetTimestamp()).TotalMilliseconds;
}
