namespace KafkaNative.Extensions.Hosting;

/// <summary>How long to wait before retry number n of a failing record: doubling from the first backoff, capped, with ±20% jitter so that records failing together do not retry together.</summary>
internal static class RetryDelay
{
    public static TimeSpan For(int retry, TimeSpan first, TimeSpan max)
    {
        double doubled = first.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30));
        double capped = Math.Min(doubled, max.TotalMilliseconds);
        double jitter = 0.8 + Random.Shared.NextDouble() * 0.4;
        return TimeSpan.FromMilliseconds(capped * jitter);
    }
}
