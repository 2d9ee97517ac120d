namespace KafkaNative.Client;

/// <summary>
/// When a broker may be dialled again: at least the minimum backoff after the previous attempt
/// started, growing with each consecutive failure as <see cref="RetryBackoff"/> says. One per broker node for the life of the
/// client (kept by <see cref="BrokerPool"/>), so the backoff outlives the connection objects that
/// come and go; thread-safe, as a retired and a new broker object may share it.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly RetryBackoff _policy;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private int _failures;
    private long _lastAttempt = long.MinValue;
    private TimeSpan _current;
    private Exception? _lastFailure;

    public ReconnectBackoff(RetryBackoff policy, TimeProvider time)
    {
        _policy = policy;
        _time = time;
        _current = policy.Initial;
    }

    /// <summary>
    /// Starts an attempt at <paramref name="now"/> (a timestamp of the client's <see cref="TimeProvider"/>) unless the backoff after the last failure still runs;
    /// then returns false with the time left and that failure.
    /// </summary>
    public bool TryStartAttempt(long now, out TimeSpan remaining, out Exception? lastFailure)
    {
        lock (_lock)
        {
            remaining = _lastAttempt == long.MinValue ? TimeSpan.Zero : _current - _time.GetElapsedTime(_lastAttempt, now);
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
            _current = _policy.Delay(_failures++);
            return _current;
        }
    }

    public void OnSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            _current = _policy.Initial;
            _lastFailure = null;
        }
    }
}
