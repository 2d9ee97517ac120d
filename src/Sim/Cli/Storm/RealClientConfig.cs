using KafkaNative.Producer;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// How a real run's producers and their application behave, mirroring the modelled policies as far as the
/// real client allows. <see cref="EdgeRetries"/> is the application's own retry: on a failure or after
/// <see cref="EdgeTimeout"/> it produces the record again without cancelling the earlier call, which keeps
/// retrying inside the client; that is the retry that multiplies load.
/// </summary>
internal sealed record RealClientConfig(string Name, int EdgeRetries, TimeSpan? EdgeTimeout, Func<string, ProducerOptions> Options)
{
    /// <summary>Our defaults, with a shorter budget: 10 s delivery budget, jittered backoff, breaker on, idempotent; no edge retry.</summary>
    public static RealClientConfig Budgeted { get; } = new("budgeted", 0, null, bootstrap => new ProducerOptions
    {
        BootstrapServers = bootstrap,
        ClientId = "storm-budgeted",
        RequestTimeout = TimeSpan.FromSeconds(3),
        DeliveryTimeout = TimeSpan.FromSeconds(10),
        RetryBackoff = TimeSpan.FromMilliseconds(100),
        RetryBackoffMax = TimeSpan.FromSeconds(1),
        CircuitBreakerFailures = 5,
        CircuitBreakerBreak = TimeSpan.FromSeconds(2),
        CloseTimeout = TimeSpan.FromSeconds(15),
    });

    /// <summary>
    /// The retry-storm policy: 1 s request timeout, 1 ms backoff, reconnects and metadata refreshes as fast as
    /// allowed, a breaker that never opens, no idempotence, a client budget of about three attempts, and two
    /// edge retries after 1 s each with no overall budget.
    /// </summary>
    public static RealClientConfig Naive { get; } = new("naive", 2, TimeSpan.FromSeconds(1), bootstrap => new ProducerOptions
    {
        BootstrapServers = bootstrap,
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
    });

    public static IReadOnlyList<RealClientConfig> All { get; } = [Budgeted, Naive];
}
