namespace KafkaNative.Sim.Storm;

/// <summary>
/// Everything one storm run needs: topology, population, offered load, broker and network models, the
/// clients' retry policy and the chaos timeline. Load is given for the whole population, so changing the
/// client count changes how many actors share it, not how hard the cluster is pushed. The default load uses
/// under half of the default cluster, so losing one of three brokers leaves the others below 70 %.
/// </summary>
internal sealed record Scenario
{
    public const int MaxClients = 1_000_000;

    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public Topology Topology { get; init; } = Topology.ThreeZones;

    public int Clients { get; init; } = 2_000;

    /// <summary>Share of clients that are consumers; the rest are producers.</summary>
    public double ConsumerFraction { get; init; } = 0.25;

    /// <summary>Virtual seconds during which clients start new operations; in-flight work then drains.</summary>
    public double DurationSeconds { get; init; } = 120;

    public double ProducesPerSecond { get; init; } = 5_000;

    public double FetchesPerSecond { get; init; } = 1_000;

    public long Seed { get; init; } = 42;

    public BrokerModel Broker { get; init; } = new();

    public NetworkModel Network { get; init; } = new();

    public RetryPolicy Policy { get; init; } = RetryPolicy.Budgeted;

    public IReadOnlyList<Fault> Faults { get; init; } = [];

    public int ConsumerCount => Clients == 1 ? 0 : (int)Math.Round(Clients * ConsumerFraction);

    public int ProducerCount => Clients - ConsumerCount;

    /// <summary>The same scenario run for a different time; chaos scheduled after the new end is left out.</summary>
    public Scenario WithDuration(double seconds) => this with
    {
        DurationSeconds = seconds,
        Faults = Faults.Where(fault => fault.AtSeconds <= seconds).ToArray(),
    };

    /// <summary>Throws <see cref="ScenarioFormatException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw new ScenarioFormatException("name must not be empty");
        if (Clients is < 1 or > MaxClients)
            throw new ScenarioFormatException($"clients must be within 1..{MaxClients:N0}, got {Clients}");
        if (ConsumerFraction is < 0 or > 1 || double.IsNaN(ConsumerFraction))
            throw new ScenarioFormatException($"consumerFraction must be within 0..1, got {ConsumerFraction}");
        if (DurationSeconds is <= 0 or > 86_400 || double.IsNaN(DurationSeconds))
            throw new ScenarioFormatException($"durationSeconds must be within (0, 86400], got {DurationSeconds}");
        if (ProducesPerSecond < 0 || FetchesPerSecond < 0 || ProducesPerSecond + FetchesPerSecond <= 0)
            throw new ScenarioFormatException("load: producesPerSecond and fetchesPerSecond must not be negative, and not both zero");
        Topology.Validate();
        Broker.Validate();
        Network.Validate();
        Policy.Validate();
        for (int index = 0; index < Faults.Count; index++)
            Faults[index].Validate(Topology, DurationSeconds, $"faults[{index}]");
    }
}
