namespace KafkaNative.Sim.Storm;

/// <summary>
/// The modelled run to set beside a real one: the same topology, seed and chaos (victims named as the real run's
/// plan drew them), the real run's load (its producers and rate for its duration) and a given policy, so the summary
/// table compares the model's client with ours under the same storm. The twin has no consumers: a real run's
/// amplification counts Produce requests only, and its consumer only witnesses.
/// </summary>
internal static class RealModelTwin
{
    public static StormResult Run(Scenario scenario, RealRunSettings settings, IReadOnlyList<RealChaosStep> chaos, RetryPolicy policy)
    {
        var twin = scenario with
        {
            Clients = settings.Producers,
            ConsumerFraction = 0,
            ProducesPerSecond = settings.RecordsPerSecond,
            FetchesPerSecond = 0,
            DurationSeconds = settings.Seconds,
            Policy = policy,
            Faults = RealChaos.ToFaults(chaos, scenario.Topology),
        };
        twin.Validate();
        return new StormSimulation(twin).Run() with { Run = $"model-{policy.Name}" };
    }
}
