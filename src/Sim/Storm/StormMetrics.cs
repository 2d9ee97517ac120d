namespace KafkaNative.Sim.Storm;

/// <summary>One second of virtual time.</summary>
internal readonly record struct SecondSample(
    int Second,
    long Needed,
    long Offered,
    long Completed,
    long Failed,
    long InFlight,
    long Timeouts,
    long Retries,
    long DeadBrokerRequests,
    double P50Ms,
    double P99Ms,
    double P999Ms)
{
    /// <summary>Requests sent per operation started in this second.</summary>
    public double Amplification => Needed == 0 ? 0 : Offered / (double)Needed;
}

/// <summary>
/// Counters for a run, cumulative and per virtual second. Latency is how long the caller waited for a
/// verdict, success or failure, from the edge's first attempt: in a storm the failures are the slow part.
/// </summary>
internal sealed class StormMetrics
{
    private readonly HdrHistogram secondLatency = new();
    private readonly List<SecondSample> series = [];
    private long secondNeeded, secondOffered, secondCompleted, secondFailed, secondTimeouts, secondRetries, secondDead;

    public HdrHistogram Latency { get; } = new();

    public IReadOnlyList<SecondSample> Series => series;

    public long Needed { get; private set; }

    public long Sent { get; private set; }

    public long Succeeded { get; private set; }

    public long Failed { get; private set; }

    public long Timeouts { get; private set; }

    public long Retries { get; private set; }

    public long SentToDeadBroker { get; private set; }

    public long BreakerRejections { get; private set; }

    public long MetadataRefreshes { get; private set; }

    public long Lost { get; private set; }

    public long Duplicated { get; private set; }

    public long DuplicateCopies { get; private set; }

    public void OperationStarted()
    {
        Needed++;
        secondNeeded++;
    }

    public void OperationSucceeded(long latencyMicros)
    {
        Succeeded++;
        secondCompleted++;
        RecordLatency(latencyMicros);
    }

    public void OperationFailed(long latencyMicros)
    {
        Failed++;
        secondFailed++;
        RecordLatency(latencyMicros);
    }

    private void RecordLatency(long latencyMicros)
    {
        Latency.Record(latencyMicros);
        secondLatency.Record(latencyMicros);
    }

    public void RequestSent(bool toDeadBroker)
    {
        Sent++;
        secondOffered++;
        if (toDeadBroker)
        {
            SentToDeadBroker++;
            secondDead++;
        }
    }

    public void TimedOut()
    {
        Timeouts++;
        secondTimeouts++;
    }

    public void Retried()
    {
        Retries++;
        secondRetries++;
    }

    public void BreakerRejected() => BreakerRejections++;

    public void MetadataRefreshed() => MetadataRefreshes++;

    /// <summary>Records the fate of a message once nothing more can happen to it.</summary>
    public void MessageSettled(int writes)
    {
        if (writes == 0)
        {
            Lost++;
        }
        else if (writes > 1)
        {
            Duplicated++;
            DuplicateCopies += writes - 1;
        }
    }

    public void Sample(int second, long inFlight)
    {
        series.Add(new SecondSample(
            second, secondNeeded, secondOffered, secondCompleted, secondFailed, inFlight, secondTimeouts, secondRetries, secondDead,
            Milliseconds(secondLatency, 50), Milliseconds(secondLatency, 99), Milliseconds(secondLatency, 99.9)));
        secondNeeded = secondOffered = secondCompleted = secondFailed = secondTimeouts = secondRetries = secondDead = 0;
        secondLatency.Reset();
    }

    public static double Milliseconds(HdrHistogram histogram, double percentile) =>
        VirtualClock.ToMilliseconds(histogram.ValueAtPercentile(percentile));
}
