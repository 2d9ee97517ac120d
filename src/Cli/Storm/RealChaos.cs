namespace KafkaNative.Sim.Storm;

/// <summary>
/// One chaos step of a real run: at <see cref="AtSeconds"/> of wall clock, kill or start
/// <see cref="Brokers"/> (cluster broker ids) or set their response latency.
/// </summary>
internal sealed record RealChaosStep(double AtSeconds, string Label, RealChaosKind Kind, IReadOnlyList<int> Brokers, TimeSpan Latency)
{
    public async Task ApplyAsync(SimulatedCluster cluster)
    {
        foreach (int broker in Brokers)
        {
            switch (Kind)
            {
                case RealChaosKind.Kill:
                    await cluster.KillBrokerAsync(broker).ConfigureAwait(false);
                    break;
                case RealChaosKind.Start:
                    cluster.SetLatency(broker, TimeSpan.Zero);
                    await cluster.StartBrokerAsync(broker).ConfigureAwait(false);
                    break;
                case RealChaosKind.Latency:
                    cluster.SetLatency(broker, Latency);
                    break;
            }
        }
    }
}

/// <summary>What a real chaos step does to the wire-level cluster.</summary>
internal enum RealChaosKind
{
    /// <summary>A crash: connections reset, leadership moves after the broker session timeout.</summary>
    Kill,
    Start,
    Latency,
}

/// <summary>
/// Maps a scenario's chaos onto <see cref="SimulatedCluster"/>'s fault API on the wall clock. Fault times are
/// scaled from the scenario's virtual duration to the real run's; latencies are kept, since they are compared
/// with the clients' request timeouts. The model's dead brokers crashed (their requests vanish, leaders move after
/// the election delay), so they are killed, and the cluster's broker session timeout is the model's leader election
/// delay (see <see cref="RealStormRun"/>). Topology broker <c>i</c> (in listed order) is cluster broker id <c>i</c>.
/// Victims the scenario leaves open are drawn once from the scenario's seed, so every client configuration
/// faces the same chaos.
/// </summary>
internal static class RealChaos
{
    public static IReadOnlyList<RealChaosStep> Plan(Scenario scenario, double seconds)
    {
        var topology = scenario.Topology;
        var random = new DeterministicRandom(scenario.Seed);
        var dead = new HashSet<int>();
        var touched = new List<int>();
        var steps = new List<RealChaosStep>();
        double scale = seconds / scenario.DurationSeconds;
        foreach (var fault in scenario.Faults.OrderBy(f => f.AtSeconds))
        {
            double at = fault.AtSeconds * scale;
            int? named = fault.BrokerId is { } id ? topology.IndexOfBroker(id) : null;
            string Name(int index) => $"broker {topology.Brokers[index].Id}";
            switch (fault.Action)
            {
                case FaultAction.KillBroker:
                {
                    int victim = named ?? PickLive(topology.Brokers.Count, dead, random);
                    if (victim < 0)
                        continue;
                    dead.Add(victim);
                    Touch(touched, victim);
                    steps.Add(new(at, $"{Name(victim)} killed", RealChaosKind.Kill, [victim], TimeSpan.Zero));
                    break;
                }
                case FaultAction.KillZone:
                {
                    string zone = fault.Zone ?? topology.Zones[random.Next(topology.Zones.Count)];
                    int[] members = Members(topology, zone).Where(index => !dead.Contains(index)).ToArray();
                    foreach (int index in members)
                    {
                        dead.Add(index);
                        Touch(touched, index);
                    }
                    steps.Add(new(at, $"zone {zone} killed", RealChaosKind.Kill, members, TimeSpan.Zero));
                    break;
                }
                case FaultAction.SlowBroker or FaultAction.DelayBroker:
                {
                    int victim = named ?? PickLive(topology.Brokers.Count, dead, random);
                    if (victim < 0)
                        continue;
                    Touch(touched, victim);
                    var latency = TimeSpan.FromMilliseconds(fault.ExtraLatencyMs);
                    steps.Add(new(at, $"{Name(victim)} answers {fault.ExtraLatencyMs:0} ms late", RealChaosKind.Latency, [victim], latency));
                    break;
                }
                case FaultAction.RestoreBroker:
                {
                    int[] restored = named is { } index ? [index] : touched.ToArray();
                    foreach (int broker in restored)
                        dead.Remove(broker);
                    touched.RemoveAll(restored.Contains);
                    steps.Add(new(at, $"{string.Join(", ", restored.Select(Name))} restored", RealChaosKind.Start, restored, TimeSpan.Zero));
                    break;
                }
                case FaultAction.RestoreZone:
                {
                    string? zone = fault.Zone ?? topology.Zones.FirstOrDefault(z => Members(topology, z).Any(dead.Contains));
                    if (zone is null)
                        continue;
                    int[] members = Members(topology, zone).ToArray();
                    foreach (int index in members)
                        dead.Remove(index);
                    touched.RemoveAll(members.Contains);
                    steps.Add(new(at, $"zone {zone} restored", RealChaosKind.Start, members, TimeSpan.Zero));
                    break;
                }
            }
        }
        return steps;
    }

    /// <summary>
    /// The plan as the model's faults, victims named, so a modelled twin of a real run faces the same chaos at the
    /// same times. A real latency step is the model's <c>delay-broker</c>: late answers, capacity kept.
    /// </summary>
    public static IReadOnlyList<Fault> ToFaults(IReadOnlyList<RealChaosStep> steps, Topology topology) =>
        steps.SelectMany(step => step.Brokers.Select(broker =>
        {
            int id = topology.Brokers[broker].Id;
            return step.Kind switch
            {
                RealChaosKind.Kill => new Fault(step.AtSeconds, FaultAction.KillBroker, BrokerId: id),
                RealChaosKind.Latency => new Fault(step.AtSeconds, FaultAction.DelayBroker, BrokerId: id, ExtraLatencyMs: step.Latency.TotalMilliseconds),
                _ => new Fault(step.AtSeconds, FaultAction.RestoreBroker, BrokerId: id),
            };
        })).ToArray();

    private static IEnumerable<int> Members(Topology topology, string zone) =>
        Enumerable.Range(0, topology.Brokers.Count).Where(index => topology.Brokers[index].Zone == zone);

    private static int PickLive(int brokers, HashSet<int> dead, DeterministicRandom random)
    {
        int[] live = Enumerable.Range(0, brokers).Where(index => !dead.Contains(index)).ToArray();
        return live.Length == 0 ? -1 : live[random.Next(live.Length)];
    }

    private static void Touch(List<int> touched, int broker)
    {
        if (!touched.Contains(broker))
            touched.Add(broker);
    }
}
