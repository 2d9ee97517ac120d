using KafkaNative.Consumer;
using KafkaNative.Producer;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// How a real run's producers and their application behave, and the model's policies to compare them with.
/// <see cref="EdgeRetries"/> is the application's own retry: on a failure or after <see cref="EdgeTimeout"/> it
/// produces the record again without cancelling the earlier call, which keeps retrying inside the client; that is
/// the retry that multiplies load. <see cref="Catalogued"/> is the built-in model policy the configuration stood
/// for before calibration; <see cref="Calibrated"/> is the model's policy set to what this client actually does.
/// </summary>
internal sealed record RealClientConfig(
    string Name, int EdgeRetries, TimeSpan? EdgeTimeout, Func<RealClientEnvironment, int, ProducerOptions> Options, RetryPolicy Catalogued, RetryPolicy Calibrated)
{
    /// <summary>Our defaults, with a shorter budget: 10 s delivery budget, jittered backoff, breaker on, idempotent; no edge retry.</summary>
    public static RealClientConfig Budgeted { get; } = new("budgeted", 0, null, (environment, client) => environment.Apply(new ProducerOptions
    {
        BootstrapServers = environment.BootstrapServers,
        ClientId = "storm-budgeted",
        RequestTimeout = TimeSpan.FromSeconds(3),
        DeliveryTimeout = TimeSpan.FromSeconds(10),
        RetryBackoff = TimeSpan.FromMilliseconds(100),
        RetryBackoffMax = TimeSpan.FromSeconds(1),
        CircuitBreakerFailures = 5,
        CircuitBreakerBreak = TimeSpan.FromSeconds(2),
        CloseTimeout = TimeSpan.FromSeconds(15),
    }, client),
    RetryPolicy.Resilient,
    // The client retries until its delivery timeout (no count), backs off 100 ms doubling to 1 s with ±20 %
    // jitter (the model's jitter only shortens: 120 ms less up to a third), refreshes metadata after a failure,
    // and opens a broker's breaker for 2 s after 5 failures. Brokers do not drop expired produces.
    new RetryPolicy
    {
        Name = "calibrated-budgeted",
        AttemptTimeoutMs = 3_000,
        Retries = 100,
        DeliveryBudgetMs = 10_000,
        PropagateDeadline = false,
        Backoff = new Backoff { InitialMs = 120, MaxMs = 1_200, Multiplier = 2, Jitter = 1.0 / 3 },
        Failover = true,
        CircuitBreaker = new CircuitBreakerOptions { Enabled = true, FailureThreshold = 5, OpenMs = 2_000 },
    });

    /// <summary>
    /// The retry-storm policy: 1 s request timeout, 1 ms backoff, reconnects and metadata refreshes as fast as
    /// allowed, a breaker that never opens, no idempotence, a client budget of about three attempts, and two
    /// edge retries after 1 s each with no overall budget.
    /// </summary>
    public static RealClientConfig Naive { get; } = new("naive", 2, TimeSpan.FromSeconds(1), (environment, client) => environment.Apply(new ProducerOptions
    {
        BootstrapServers = environment.BootstrapServers,
        ClientId = "storm-naive",
        RequestTimeout = TimeSpan.FromSeconds(1),
        DeliveryTimeout = TimeSpan.FromSeconds(3),
        RetryBackoff = TimeSpan.FromMilliseconds(1),
        RetryBackoffMax = TimeSpan.FromMilliseconds(1),
        ReconnectBackoffMin = TimeSpan.FromMilliseconds(1),
        ReconnectBackoffMax = TimeSpan.FromMilliseconds(1),
        MetadataMinRefreshInterval = TimeSpan.Zero,
        // Polly needs a finite threshold; no run gets near it.
        CircuitBreakerFailures = 1_000_000,
        EnableIdempotence = false,
        CloseTimeout = TimeSpan.FromSeconds(15),
    }, client),
    RetryPolicy.RetryStorm,
    // Three 1 s attempts fit the client's 3 s delivery timeout; the edge gives up on a call after 1 s and starts
    // another, twice, with no budget over them. The client still refreshes metadata after a failure.
    new RetryPolicy
    {
        Name = "calibrated-naive",
        EdgeTimeoutMs = 1_000,
        EdgeRetries = 2,
        AttemptTimeoutMs = 1_000,
        Retries = 2,
        DeliveryBudgetMs = 0,
        PropagateDeadline = false,
        Backoff = Backoff.None,
        Failover = true,
    });

    public static IReadOnlyList<RealClientConfig> All { get; } = [Budgeted, Naive];

    /// <summary>
    /// The read-along consumer, the same for every configuration: a group member reading the topic from the start.
    /// Its client number follows any producer's.
    /// </summary>
    public static ConsumerOptions ConsumerOptions(RealClientEnvironment environment) => environment.Apply(new ConsumerOptions
    {
        BootstrapServers = environment.BootstrapServers,
        GroupId = "storm-readback",
        AutoOffsetReset = AutoOffsetReset.Earliest,
    }, StormOptions.MaxRealClients);
}
