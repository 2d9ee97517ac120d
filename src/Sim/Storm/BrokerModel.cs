namespace KafkaNative.Sim.Storm;

/// <summary>
/// How a simulated broker serves requests: a fixed number of request handlers, a bounded queue in front of
/// them and a service time per request kind. When the queue is long, waiting dominates latency; once the wait
/// exceeds the clients' timeout the broker spends its capacity on answers nobody waits for, which is what
/// makes a retry storm feed itself.
/// </summary>
internal sealed record BrokerModel
{
    /// <summary>Requests served at once (Kafka's num.io.threads).</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Requests accepted while all handlers are busy (socket buffers plus the request queue); beyond it the broker answers with a throttle error.</summary>
    public int QueueLimit { get; init; } = 10_000;

    /// <summary>Mean service time of a produce, including replication to followers.</summary>
    public double ProduceServiceMs { get; init; } = 2.0;

    public double FetchServiceMs { get; init; } = 1.0;

    /// <summary>How long the controller takes to notice a dead broker and move its leaderships.</summary>
    public double LeaderElectionDelayMs { get; init; } = 6_000;

    public void Validate()
    {
        if (Concurrency < 1)
            throw new ScenarioFormatException($"broker.concurrency must be at least 1, got {Concurrency}");
        if (QueueLimit < 0)
            throw new ScenarioFormatException($"broker.queueLimit must not be negative, got {QueueLimit}");
        if (ProduceServiceMs <= 0 || FetchServiceMs <= 0)
            throw new ScenarioFormatException("broker service times must be positive");
        if (LeaderElectionDelayMs < 0)
            throw new ScenarioFormatException("broker.leaderElectionDelayMs must not be negative");
    }
}
