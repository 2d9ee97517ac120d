namespace KafkaNative.Chaos;

/// <summary>Waiting for a condition by polling it against a deadline (never by sleeping a fixed time).</summary>
public static class Poll
{
    /// <summary>Polls every 10 ms; throws <see cref="TimeoutException"/> naming <paramref name="what"/> past the deadline.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"Timed out waiting for {what()}.");
            await Task.Delay(10);
        }
    }
}
