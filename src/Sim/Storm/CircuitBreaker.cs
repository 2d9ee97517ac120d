namespace KafkaNative.Sim.Storm;

/// <summary>Settings of the per-client, per-broker circuit breaker.</summary>
internal sealed record CircuitBreakerOptions
{
    public bool Enabled { get; init; }

    /// <summary>Consecutive failures (timeouts or errors) that open the breaker.</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>How long an open breaker refuses requests before letting one probe through.</summary>
    public double OpenMs { get; init; } = 5_000;

    public void Validate()
    {
        if (FailureThreshold < 1)
            throw new ScenarioFormatException($"policy.circuitBreaker.failureThreshold must be at least 1, got {FailureThreshold}");
        if (OpenMs <= 0)
            throw new ScenarioFormatException("policy.circuitBreaker.openMs must be positive");
    }
}

/// <summary>
/// Circuit breakers for every (client, broker) pair, kept in flat arrays so 100,000 clients cost a few bytes
/// each. Closed counts consecutive failures; open refuses sends until its timer runs out; then exactly one
/// half-open probe goes through, and its outcome closes or reopens the breaker. Timers are checked when a
/// send is attempted, so breakers need no events of their own.
/// </summary>
internal sealed class CircuitBreakerTable
{
    private enum State : byte { Closed, Open, HalfOpenProbing }

    private readonly CircuitBreakerOptions options;
    private readonly int brokerCount;
    private readonly State[] states;
    private readonly byte[] failures;
    private readonly long[] openUntil;

    public CircuitBreakerTable(CircuitBreakerOptions options, int clientCount, int brokerCount)
    {
        this.options = options;
        this.brokerCount = brokerCount;
        int size = checked(clientCount * brokerCount);
        states = new State[size];
        failures = new byte[size];
        openUntil = new long[size];
    }

    /// <summary>Times a breaker went from closed (or half-open) to open.</summary>
    public long Trips { get; private set; }

    public bool AllowRequest(int client, int broker, long now)
    {
        int index = client * brokerCount + broker;
        switch (states[index])
        {
            case State.Closed:
                return true;
            case State.Open when now >= openUntil[index]:
                states[index] = State.HalfOpenProbing;
                return true;
            default:
                return false;
        }
    }

    public void RecordSuccess(int client, int broker)
    {
        int index = client * brokerCount + broker;
        states[index] = State.Closed;
        failures[index] = 0;
    }

    public void RecordFailure(int client, int broker, long now)
    {
        int index = client * brokerCount + broker;
        if (states[index] == State.Closed && ++failures[index] < options.FailureThreshold)
            return;
        if (states[index] != State.Open)
            Trips++;
        states[index] = State.Open;
        failures[index] = 0;
        openUntil[index] = now + VirtualClock.FromMilliseconds(options.OpenMs);
    }
}
