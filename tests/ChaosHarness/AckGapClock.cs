using System.Diagnostics;

namespace KafkaNative.Chaos;

/// <summary>The longest time between successive delivery acknowledgements: how long a fault froze the stream.</summary>
public sealed class AckGapClock
{
    private readonly Lock _lock = new();
    private long _last;
    private long _longest;

    /// <summary>Notes one acknowledgement, now.</summary>
    public void Tick()
    {
        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_last != 0 && now - _last > _longest) _longest = now - _last;
            if (now > _last) _last = now;
        }
    }

    /// <summary>
    /// Starts timing afresh from now: for a producer resuming after it idled with nothing outstanding,
    /// so that its idle time does not count as a gap.
    /// </summary>
    public void Restart()
    {
        long now = Stopwatch.GetTimestamp();
        lock (_lock) _last = Math.Max(_last, now);
    }

    /// <summary>The longest gap so far.</summary>
    public TimeSpan Longest
    {
        get
        {
            lock (_lock) return Stopwatch.GetElapsedTime(0, _longest);
        }
    }
}
