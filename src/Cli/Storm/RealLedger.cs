namespace KafkaNative.Sim.Storm;

/// <summary>
/// What a real run's producers offered and what each record's caller and producer were told, overall and per
/// second of the run's clock. Traffic is a few hundred records per second, so one lock is simpler than anything cleverer.
/// </summary>
internal sealed class RealLedger(int records)
{
    private readonly Lock _gate = new();
    private readonly bool[] _acknowledged = new bool[records];
    private readonly HdrHistogram _latency = new();
    private readonly List<Second> _seconds = [];

    public int Records => records;

    public int Offered { get; private set; }

    public int Succeeded { get; private set; }

    public int Failed { get; private set; }

    /// <summary>Records offered that have no verdict yet.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
                return Offered - Succeeded - Failed;
        }
    }

    public void Offer(int second)
    {
        lock (_gate)
        {
            Offered++;
            At(second).Offered++;
        }
    }

    /// <summary>The producer reported this record written (whichever of the application's calls it was).</summary>
    public void Acknowledge(int id)
    {
        lock (_gate)
            _acknowledged[id] = true;
    }

    /// <summary>The application got its verdict: success in time, or failure after its last edge retry.</summary>
    public void Verdict(bool success, TimeSpan latency, int second)
    {
        long micros = (long)latency.TotalMicroseconds;
        lock (_gate)
        {
            var bucket = At(second);
            if (success)
            {
                Succeeded++;
                bucket.Succeeded++;
            }
            else
            {
                Failed++;
                bucket.Failed++;
            }
            _latency.Record(micros);
            bucket.Latency.Record(micros);
        }
    }

    public bool IsAcknowledged(int id)
    {
        lock (_gate)
            return _acknowledged[id];
    }

    public int AcknowledgedCount()
    {
        lock (_gate)
            return _acknowledged.Count(flag => flag);
    }

    /// <summary>Verdict latency at <paramref name="percentile"/> (0–100) over the whole run, in milliseconds.</summary>
    public double LatencyMs(double percentile)
    {
        lock (_gate)
            return StormMetrics.Milliseconds(_latency, percentile);
    }

    /// <summary>Second <paramref name="second"/>'s offers and verdicts, with its verdict latency percentiles in milliseconds.</summary>
    public (long Offered, long Succeeded, long Failed, double P50Ms, double P99Ms, double P999Ms) SecondAt(int second)
    {
        lock (_gate)
        {
            var bucket = At(second);
            return (bucket.Offered, bucket.Succeeded, bucket.Failed,
                StormMetrics.Milliseconds(bucket.Latency, 50), StormMetrics.Milliseconds(bucket.Latency, 99), StormMetrics.Milliseconds(bucket.Latency, 99.9));
        }
    }

    private Second At(int second)
    {
        while (_seconds.Count <= second)
            _seconds.Add(new Second());
        return _seconds[second];
    }

    private sealed class Second
    {
        public long Offered;
        public long Succeeded;
        public long Failed;
        public readonly HdrHistogram Latency = new();
    }
}
