namespace KafkaNative.Client;

/// <summary>
/// The one backoff policy of the client: the wait before retry <c>attempt</c> (0 for the first) is
/// <c>initial × 2^attempt</c>, capped at <c>max</c>, then scaled by a random factor in [0.8, 1.2) so
/// clients that failed together do not retry together. Reconnects, produce retries, idempotence
/// set-up, metadata waits, fetch errors and group rejoins all back off through it.
/// </summary>
internal sealed class RetryBackoff
{
    private const double JitterFraction = 0.2;

    private readonly Random _random;
    // A seeded Random is not thread-safe and every backoff of a client shares it, so they lock on the instance
    // itself; Random.Shared is thread-safe and needs no lock.
    private readonly Random? _randomLock;

    /// <param name="initial">Wait before the first retry; must be positive.</param>
    /// <param name="max">Cap of the exponential growth, before jitter; at least <paramref name="initial"/>.</param>
    /// <param name="random">Source of jitter; a seeded one makes delays reproducible. Defaults to <see cref="Random.Shared"/>.</param>
    public RetryBackoff(TimeSpan initial, TimeSpan max, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        Initial = initial;
        Max = max;
        _random = random ?? Random.Shared;
        _randomLock = random;
    }

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    /// <summary>The wait before retry number <paramref name="attempt"/> (0-based; negative counts as 0).</summary>
    public TimeSpan Delay(int attempt)
    {
        double exponential = Initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, 30));
        double capped = Math.Min(exponential, Max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 - JitterFraction + NextDouble() * 2 * JitterFraction));
    }

    private double NextDouble()
    {
        if (_randomLock is null) return _random.NextDouble();
        lock (_randomLock) return _random.NextDouble();
    }
}
