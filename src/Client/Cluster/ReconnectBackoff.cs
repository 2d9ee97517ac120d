using System.Diagnostics;

namespace KafkaNative.Client;

/// <summary>
/// When a broker may be dialled again: at least the minimum backoff after the previous attempt
/// started, doubling with each consecutive failure up to the maximum, with ±20% jitter so clients
/// that lost a broker together do not return together. Not thread-safe; the owner locks.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private int _failures;
    private long _lastAttempt = long.MinValue;
    private TimeSpan _current;

    public ReconnectBackoff(TimeSpan min, TimeSpan max)
    {
        _min = min;
        _max = max;
        _current = min;
    }

    public Exception? LastFailure { get; private set; }

    /// <summary>Time left before the next attempt is allowed; zero or less means now.</summary>
    public TimeSpan Remaining(long now) =>
        _lastAttempt == long.MinValue ? TimeSpan.Zero : _current - Stopwatch.GetElapsedTime(_lastAttempt, now);

    public void OnAttempt(long now) => _lastAttempt = now;

    public TimeSpan OnFailure(Exception exception)
    {
        LastFailure = exception;
        _failures++;
        double exponential = _min.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 30));
        double capped = Math.Min(exponential, _max.TotalMilliseconds);
        _current = TimeSpan.FromMilliseconds(capped * (0.8 + Random.Shared.NextDouble() * 0.4));
        return _current;
    }

    public void OnSuccess()
    {
        _failures = 0;
        _current = _min;
        LastFailure = null;
    }
}
