using System.Diagnostics;

namespace KafkaNative.Client;

/// <summary>
/// When a broker may be dialled again: at least the minimum backoff after the previous attempt
/// started, doubling with each consecutive failure up to the maximum, with ±20% jitter so clients
/// that lost a broker together do not return together. One per broker node for the life of the
/// client (kept by <see cref="BrokerPool"/>), so the backoff outlives the connection objects that
/// come and go; thread-safe, as a retired and a new broker object may share it.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Lock _lock = new();
    private int _failures;
    private long _lastAttempt = long.MinValue;
    private TimeSpan _current;
    private Exception? _lastFailure;

    public ReconnectBackoff(TimeSpan min, TimeSpan max)
    {
        _min = min;
        _max = max;
        _current = min;
    }

    /// <summary>
    /// Starts an attempt at <paramref name="now"/> unless the backoff after the last failure still runs;
    /// then returns false with the time left and that failure.
    /// </summary>
    public bool TryStartAttempt(long now, out TimeSpan remaining, out Exception? lastFailure)
    {
        lock (_lock)
        {
            remaining = _lastAttempt == long.MinValue ? TimeSpan.Zero : _current - Stopwatch.GetElapsedTime(_lastAttempt, now);
            lastFailure = _lastFailure;
            if (remaining > TimeSpan.Zero && lastFailure is not null) return false;
            _lastAttempt = now;
            return true;
        }
    }

    public TimeSpan OnFailure(Exception exception)
    {
        lock (_lock)
        {
            _lastFailure = exception;
            _failures++;
            double exponential = _min.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 30));
            double capped = Math.Min(exponential, _max.TotalMilliseconds);
            _current = TimeSpan.FromMilliseconds(capped * (0.8 + Random.Shared.NextDouble() * 0.4));
            return _current;
        }
    }

    public void OnSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            _current = _min;
            _lastFailure = null;
        }
    }
}
