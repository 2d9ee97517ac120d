namespace KafkaNative.Sim.Storm;

/// <summary>
/// The modelled run to set beside a real one: the same topology, seed and chaos (victims named as the real run's
/// plan drew them), the real run's load (its producers and rate for its duration, one consumer) and a given policy,
/// so the summary table compares the model's client with ours under the same storm.
/// </summary>
internal static class RealModelTwin
{
    /// <summary>Fetches per second of the model's one consumer: about what the real consumer's long polls make at this load.</summary>
    private const double ConsumerFetchesPerSecond = 10;

    public static StormResult Run(Scenario scenario, RealRunSettings settings, IReadOnlyList<RealChaosStep> chaos, RetryPolicy policy)
    {
        var twin = scenario with
        {
            Clients = settings.Producers + 1,
            ConsumerFraction = 1.0 / (settings.Producers + 1),
            ProducesPerSecond = settings.RecordsPerSecond,
            FetchesPerSecond = ConsumerFetchesPerSecond,
            DurationSeconds = settings.Seconds,
            Policy = policy,
            Faults = RealChaos.ToFaults(chaos, scenario.Topology),
        };
        twin.Validate();
        return new StormSimulation(twin).Run() with { Run = $"model-{policy.Name}" };
    }
}
