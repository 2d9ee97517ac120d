namespace KafkaNative.Sim.Storm;

/// <summary>
/// How a simulated client times out, retries and reroutes. Two layers are modelled: the edge (the
/// application call that wants a message delivered, with its own timeout and retries) and the Kafka client
/// below it (per-request timeout and retries). Without a budget, an edge retry starts a fresh client call
/// while the abandoned one keeps retrying: retries multiply per hop. With a delivery budget, both layers
/// share one deadline that no retry may pass, and with <see cref="PropagateDeadline"/> brokers drop requests
/// whose deadline has already passed instead of serving them.
/// </summary>
internal sealed record RetryPolicy
{
    /// <summary>2 s timeout and two retries at both hops, immediate retries, no budget, no breaker.</summary>
    public static RetryPolicy RetryStorm { get; } = new()
    {
        Name = "retry-storm",
        EdgeTimeoutMs = 2_000,
        EdgeRetries = 2,
        AttemptTimeoutMs = 2_000,
        Retries = 2,
        DeliveryBudgetMs = 0,
        PropagateDeadline = false,
        Backoff = Backoff.None,
        Failover = false,
    };

    /// <summary>One 2 s budget from the edge, one retry inside it, deadline propagated, jittered backoff.</summary>
    public static RetryPolicy Budgeted { get; } = new() { Name = "budgeted" };

    /// <summary>Budgeted, plus metadata refresh on failure and a circuit breaker.</summary>
    public static RetryPolicy Resilient { get; } = new()
    {
        Name = "resilient",
        CircuitBreaker = new CircuitBreakerOptions { Enabled = true },
    };

    public static IReadOnlyList<RetryPolicy> BuiltIn { get; } = [RetryStorm, Budgeted, Resilient];

    public string Name { get; init; } = "custom";

    /// <summary>Edge timeout per edge attempt; 0 means the edge waits for the client's own verdict.</summary>
    public double EdgeTimeoutMs { get; init; }

    public int EdgeRetries { get; init; }

    public double AttemptTimeoutMs { get; init; } = 1_000;

    public int Retries { get; init; } = 1;

    /// <summary>Total time from the edge's first attempt that no retry may exceed; 0 means unbounded.</summary>
    public double DeliveryBudgetMs { get; init; } = 2_000;

    public bool PropagateDeadline { get; init; } = true;

    public Backoff Backoff { get; init; } = new();

    /// <summary>Refresh metadata after a failure, so retries follow a moved leader instead of the failed broker.</summary>
    public bool Failover { get; init; } = true;

    public CircuitBreakerOptions CircuitBreaker { get; init; } = new();

    public void Validate()
    {
        if (EdgeTimeoutMs < 0 || AttemptTimeoutMs <= 0 || DeliveryBudgetMs < 0)
            throw new ScenarioFormatException("policy timeouts must be positive (edgeTimeoutMs and deliveryBudgetMs may be 0 for none)");
        if (EdgeRetries is < 0 or > 100 || Retries is < 0 or > 100)
            throw new ScenarioFormatException("policy retries must be within 0..100");
        if (PropagateDeadline && DeliveryBudgetMs == 0)
            throw new ScenarioFormatException("policy.propagateDeadline needs a deliveryBudgetMs");
        Backoff.Validate();
        CircuitBreaker.Validate();
    }
}
