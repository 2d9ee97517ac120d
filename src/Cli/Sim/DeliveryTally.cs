using System.Diagnostics;
using KafkaNative.Producer;

namespace KafkaNative.Sim;

/// <summary>
/// What the producer reported for each record of a run, and the longest silence between two
/// acknowledgements (how long a fault stalled the stream). Thread-safe: reports arrive on producer tasks.
/// </summary>
internal sealed class DeliveryTally(int records)
{
    private readonly byte[] _outcome = new byte[records];
    private readonly Lock _lock = new();
    private long _acknowledged;
    private long _failed;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _lastAck;
    private long _longestGapTicks;

    public long Acknowledged => Interlocked.Read(ref _acknowledged);
    public long Failed => Interlocked.Read(ref _failed);
    public Exception? FirstError { get; private set; }

    /// <summary>The longest time between two successive acknowledgements.</summary>
    public TimeSpan LongestGap
    {
        get
        {
            lock (_lock) return Stopwatch.GetElapsedTime(0, _longestGapTicks);
        }
    }

    /// <summary>From the tally's creation to the first acknowledgement (connecting and the first round trip).</summary>
    public TimeSpan FirstAcknowledgement { get; private set; }

    public bool WasAcknowledged(int index) => Volatile.Read(ref _outcome[index]) == 1;

    public Action<DeliveryReport> CallbackFor(int index) => report => Record(index, report);

    private void Record(int index, DeliveryReport report)
    {
        if (!report.Succeeded)
        {
            Volatile.Write(ref _outcome[index], 2);
            Interlocked.Increment(ref _failed);
            lock (_lock) FirstError ??= report.Error;
            return;
        }
        Volatile.Write(ref _outcome[index], 1);
        Interlocked.Increment(ref _acknowledged);
        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_lastAck == 0) FirstAcknowledgement = Stopwatch.GetElapsedTime(_start, now);
            else _longestGapTicks = Math.Max(_longestGapTicks, now - _lastAck);
            _lastAck = now;
        }
    }
}
