namespace KafkaNative.Sim.Storm;

/// <summary>
/// What a real run's producers offered and what each record's caller and producer were told, with per-second
/// counts. Record ids are <c>producer * perProducer + sequence</c>, so id order is send order within a producer.
/// Traffic is a few hundred records per second, so one lock is simpler than anything cleverer.
/// </summary>
internal sealed class RealLedger(int records)
{
    private readonly object _gate = new();
    private readonly bool[] _acknowledged = new bool[records];
    private readonly List<double> _latenciesMs = [];
    private readonly List<long[]> _perSecond = [];

    public int Records => records;

    public int Offered { get; private set; }

    public int Succeeded { get; private set; }

    public int Failed { get; private set; }

    public void Offer(int second)
    {
        lock (_gate)
        {
            Offered++;
            Bucket(second)[0]++;
        }
    }

    /// <summary>The producer reported this record written (whichever of the application's calls it was).</summary>
    public void Acknowledge(int id)
    {
        lock (_gate)
            _acknowledged[id] = true;
    }

    /// <summary>The application got its verdict: success in time, or failure after its last edge retry.</summary>
    public void Verdict(bool success, double latencyMs, int second)
    {
        lock (_gate)
        {
            _latenciesMs.Add(latencyMs);
            if (success)
                Succeeded++;
            else
                Failed++;
            Bucket(second)[success ? 1 : 2]++;
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

    public double LatencyPercentile(double quantile)
    {
        lock (_gate)
        {
            if (_latenciesMs.Count == 0)
                return 0;
            var sorted = _latenciesMs.Order().ToArray();
            return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];
        }
    }

    /// <summary>Offered, succeeded and failed per second, for <paramref name="seconds"/> seconds.</summary>
    public long[][] Series(int seconds)
    {
        lock (_gate)
            return Enumerable.Range(0, seconds).Select(second => second < _perSecond.Count ? (long[])_perSecond[second].Clone() : new long[3]).ToArray();
    }

    private long[] Bucket(int second)
    {
        while (_perSecond.Count <= second)
            _perSecond.Add(new long[3]);
        return _perSecond[second];
    }
}
