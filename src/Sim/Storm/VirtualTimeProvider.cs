namespace KafkaNative.Sim.Storm;

/// <summary>
/// A <see cref="TimeProvider"/> whose time moves only when <see cref="FireNext"/> fires the earliest due timer.
/// Real async code handed this provider (<c>Task.Delay</c>, <c>PeriodicTimer</c>, <c>CancellationTokenSource</c>
/// and <c>WaitAsync</c> timeouts, timestamps) then runs on virtual time; a <see cref="VirtualTimeDriver"/> decides
/// when to fire. Timers due at the same instant fire in the order they were armed, so a run that arms them in the
/// same order fires them in the same order.
/// </summary>
internal sealed class VirtualTimeProvider : TimeProvider
{
    // One lock guards the queue and every timer's state, so arming and firing cannot deadlock on lock order.
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Firing, (long Due, long Sequence)> _queue = new();
    private readonly DateTimeOffset _epoch;
    private long _now;
    private long _sequence;
    private long _fired;

    /// <param name="epoch">The wall-clock time virtual time starts at; record timestamps are taken from it.</param>
    public VirtualTimeProvider(DateTimeOffset epoch)
    {
        _epoch = epoch;
    }

    /// <summary>Virtual time since the start.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _now));

    /// <summary>Timer callbacks run so far.</summary>
    public long Fired => Volatile.Read(ref _fired);

    /// <summary>When the earliest armed timer is due (virtual time since the start), or null when none is armed.</summary>
    public TimeSpan? NextDue
    {
        get
        {
            lock (_gate)
            {
                DropStale();
                return _queue.TryPeek(out _, out var key) ? TimeSpan.FromTicks(key.Due) : null;
            }
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _epoch + Elapsed;

    /// <inheritdoc />
    public override long GetTimestamp() => Volatile.Read(ref _now);

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state, ExecutionContext.Capture());
        Change(timer, dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves time to the earliest armed timer and runs its callback on the calling thread; a periodic timer is
    /// re-armed one period after the instant it fired at. Returns false, leaving time alone, when none is armed.
    /// </summary>
    public bool FireNext()
    {
        VirtualTimer timer;
        lock (_gate)
        {
            DropStale();
            if (!_queue.TryDequeue(out var firing, out var key))
                return false;
            timer = firing.Timer;
            _now = Math.Max(_now, key.Due);
            _fired++;
            if (timer.Period > 0)
                _queue.Enqueue(new Firing(timer, timer.Version), (SaturatingAdd(_now, timer.Period), _sequence++));
            else
                timer.Version++;
        }
        timer.Invoke();
        return true;
    }

    /// <summary>Re-arms <paramref name="timer"/> as <see cref="ITimer.Change"/> does; false once it is disposed.</summary>
    internal bool Change(VirtualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        long due = Ticks(dueTime, nameof(dueTime));
        long every = Ticks(period, nameof(period));
        lock (_gate)
        {
            if (timer.Disposed)
                return false;
            // A new version leaves earlier firings in the queue stale; they are skipped when they reach the head.
            timer.Version++;
            timer.Period = every < 0 ? 0 : every;
            if (due >= 0)
                _queue.Enqueue(new Firing(timer, timer.Version), (SaturatingAdd(_now, due), _sequence++));
            return true;
        }
    }

    internal void Dispose(VirtualTimer timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            timer.Version++;
        }
    }

    private void DropStale()
    {
        while (_queue.TryPeek(out var head, out _) && head.Version != head.Timer.Version)
            _queue.Dequeue();
    }

    /// <summary>Ticks of a due time or period; -1 for <see cref="Timeout.InfiniteTimeSpan"/> (never).</summary>
    private static long Ticks(TimeSpan span, string name)
    {
        if (span == Timeout.InfiniteTimeSpan)
            return -1;
        ArgumentOutOfRangeException.ThrowIfLessThan(span, TimeSpan.Zero, name);
        return span.Ticks;
    }

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;

    private readonly record struct Firing(VirtualTimer Timer, long Version);
}
