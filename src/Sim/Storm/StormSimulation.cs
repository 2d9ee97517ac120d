using System.Diagnostics;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// Discrete-event simulation of a Kafka cluster and its clients, with no sockets and no threads: one loop
/// pops the earliest event from the queue, advances the virtual clock to it and handles it. All randomness
/// comes from one seeded generator consumed in event order, so a seed always yields the same storm.
/// Client behaviour is in StormSimulation.Clients.cs, broker behaviour in StormSimulation.Brokers.cs.
/// </summary>
internal sealed partial class StormSimulation
{
    /// <summary>Time allowed after the load stops for in-flight work to settle.</summary>
    private static readonly long DrainMicros = VirtualClock.FromSeconds(60);

    private readonly Scenario scenario;
    private readonly RetryPolicy policy;
    private readonly VirtualClock clock = new();
    private readonly EventQueue events = new();
    private readonly DeterministicRandom random;
    private readonly BrokerState[] brokers;
    private readonly ClusterState cluster;
    private readonly SimulatedClients clients;
    private readonly CircuitBreakerTable? breakers;
    private readonly SlotPool<Operation> operations = new();
    private readonly SlotPool<SendChain> chains = new();
    private readonly SlotPool<BrokerRequest> requests = new();
    private readonly StormMetrics metrics = new();
    private readonly List<AppliedFault> appliedFaults = [];
    private readonly string[] zones;
    private readonly long[] networkDelay;
    /// <summary>Requests per (zone, producer or consumer, broker), for the topology drawing.</summary>
    private readonly long[] groupBrokerRequests;
    private readonly long loadEnds;
    private long processedEvents;

    public StormSimulation(Scenario scenario)
    {
        scenario.Validate();
        this.scenario = scenario;
        policy = scenario.Policy;
        random = new DeterministicRandom(scenario.Seed);
        var topology = scenario.Topology;
        zones = topology.Zones.ToArray();
        brokers = topology.Brokers.Select(spec => new BrokerState(spec, Array.IndexOf(zones, spec.Zone))).ToArray();
        cluster = new ClusterState(topology);
        clients = new SimulatedClients(scenario, cluster.PartitionCount, zones.Length);
        if (policy.CircuitBreaker.Enabled)
            breakers = new CircuitBreakerTable(policy.CircuitBreaker, clients.Count, brokers.Length);
        networkDelay = BuildNetworkDelays(topology, scenario.Network);
        groupBrokerRequests = new long[zones.Length * 2 * brokers.Length];
        loadEnds = VirtualClock.FromSeconds(scenario.DurationSeconds);
    }

    private long Now => clock.NowMicros;

    public StormResult Run()
    {
        var wall = Stopwatch.StartNew();
        for (int client = 0; client < clients.Count; client++)
            ScheduleArrival(client);
        for (int index = 0; index < scenario.Faults.Count; index++)
            events.Schedule(VirtualClock.FromSeconds(scenario.Faults[index].AtSeconds), EventKind.Fault, index);
        events.Schedule(VirtualClock.MicrosPerSecond, EventKind.Sample);

        long stopAt = loadEnds + DrainMicros;
        while (events.TryDequeue(out var next) && next.Time <= stopAt)
        {
            clock.AdvanceTo(next.Time);
            processedEvents++;
            Dispatch(in next);
        }
        return BuildResult(wall.Elapsed);
    }

    private void Dispatch(in SimEvent next)
    {
        switch (next.Kind)
        {
            case EventKind.ClientArrival:
                OnClientArrival(next.Target);
                break;
            case EventKind.RequestArrival:
                OnRequestArrival(next.Target);
                break;
            case EventKind.ServiceComplete:
                OnServiceComplete(next.Target);
                break;
            case EventKind.ResponseArrival:
                OnResponseArrival(next.Target);
                break;
            case EventKind.AttemptTimeout:
                OnAttemptTimeout(next.Target, next.Generation, next.Detail);
                break;
            case EventKind.EdgeTimeout:
                OnEdgeTimeout(next.Target, next.Generation, next.Detail);
                break;
            case EventKind.RetryAttempt:
                if (chains.Generation(next.Target) == next.Generation)
                    SendAttempt(next.Target);
                break;
            case EventKind.EdgeRetry:
                if (operations.Generation(next.Target) == next.Generation)
                    StartEdgeAttempt(next.Target);
                break;
            case EventKind.Fault:
                ApplyFault(scenario.Faults[next.Target]);
                break;
            case EventKind.LeaderElection:
                if (cluster.ElectLeaders(brokers))
                    appliedFaults.Add(new AppliedFault(clock.NowSeconds, "leaders moved"));
                break;
            case EventKind.Sample:
                OnSample();
                break;
            default:
                throw new UnreachableException($"unhandled event kind {next.Kind}");
        }
    }

    private void OnSample()
    {
        metrics.Sample((int)(Now / VirtualClock.MicrosPerSecond), requests.Live);
        // Keep sampling while load runs or work is still draining; the sample itself is not work.
        if (Now < loadEnds || events.Count > 0)
            events.Schedule(Now + VirtualClock.MicrosPerSecond, EventKind.Sample);
    }

    private void ApplyFault(Fault fault)
    {
        var targets = FaultTargets(fault);
        foreach (int broker in targets)
        {
            var state = brokers[broker];
            switch (fault.Action)
            {
                case FaultAction.KillBroker or FaultAction.KillZone:
                    KillBroker(broker);
                    break;
                case FaultAction.SlowBroker:
                    state.ServiceSlowdownMicros = VirtualClock.FromMilliseconds(fault.ExtraLatencyMs);
                    break;
                case FaultAction.DelayBroker:
                    state.ResponseDelayMicros = VirtualClock.FromMilliseconds(fault.ExtraLatencyMs);
                    break;
                case FaultAction.RestoreBroker or FaultAction.RestoreZone:
                    state.Alive = true;
                    state.ServiceSlowdownMicros = 0;
                    state.ResponseDelayMicros = 0;
                    break;
            }
        }
        if (fault.Action is FaultAction.RestoreBroker or FaultAction.RestoreZone)
            events.Schedule(Now, EventKind.LeaderElection);
        string what = fault.Action is FaultAction.KillZone or FaultAction.RestoreZone
            ? $"zone {brokers[targets[0]].Spec.Zone}"
            : string.Join(", ", targets.Select(broker => $"broker {brokers[broker].Spec.Id}"));
        string extra = fault.ExtraLatencyMs > 0 ? $" +{fault.ExtraLatencyMs:0.#} ms" : "";
        appliedFaults.Add(new AppliedFault(clock.NowSeconds, $"{Fault.ActionName(fault.Action)} {what}{extra}"));
    }

    /// <summary>
    /// Broker indexes a fault applies to. A kill or slowdown without a target picks one at random (the
    /// monkey's choice); a restore without a target heals every broker chaos has touched.
    /// </summary>
    private int[] FaultTargets(Fault fault)
    {
        var topology = scenario.Topology;
        switch (fault.Action)
        {
            case FaultAction.KillZone or FaultAction.RestoreZone:
            {
                string zone = fault.Zone ?? (fault.Action == FaultAction.KillZone
                    ? zones[random.Next(zones.Length)]
                    : zones.FirstOrDefault(z => brokers.Any(b => b.Spec.Zone == z && !b.Alive)) ?? zones[0]);
                return Enumerable.Range(0, brokers.Length).Where(broker => brokers[broker].Spec.Zone == zone).ToArray();
            }
            case FaultAction.RestoreBroker when fault.BrokerId is null:
                return Enumerable.Range(0, brokers.Length)
                    .Where(broker => !brokers[broker].Alive || brokers[broker].ServiceSlowdownMicros > 0 || brokers[broker].ResponseDelayMicros > 0)
                    .DefaultIfEmpty(0)
                    .ToArray();
            default:
                return [fault.BrokerId is { } id ? topology.IndexOfBroker(id) : random.Next(brokers.Length)];
        }
    }

    private static long[] BuildNetworkDelays(Topology topology, NetworkModel network)
    {
        var zoneNames = topology.Zones;
        var delays = new long[zoneNames.Count * topology.Brokers.Count];
        for (int zone = 0; zone < zoneNames.Count; zone++)
        {
            for (int broker = 0; broker < topology.Brokers.Count; broker++)
            {
                var spec = topology.Brokers[broker];
                double milliseconds = spec.Zone == zoneNames[zone] ? network.SameZoneMs
                    : spec.Region == topology.RegionOf(zoneNames[zone]) ? network.CrossZoneMs
                    : network.CrossRegionMs;
                delays[zone * topology.Brokers.Count + broker] = VirtualClock.FromMilliseconds(milliseconds);
            }
        }
        return delays;
    }

    private long NetworkDelay(int zone, int broker)
    {
        long delay = networkDelay[zone * brokers.Length + broker];
        return delay + (long)(delay * scenario.Network.Jitter * random.NextDouble());
    }

    private StormResult BuildResult(TimeSpan wallTime)
    {
        double loadSeconds = scenario.DurationSeconds;
        long unfinished = operations.Live;
        var summary = new StormSummary(
            scenario.Name,
            policy.Name,
            clients.Count,
            metrics.Needed,
            metrics.Sent,
            metrics.Needed == 0 ? 0 : metrics.Sent / (double)metrics.Needed,
            StormMetrics.Milliseconds(metrics.Latency, 50),
            StormMetrics.Milliseconds(metrics.Latency, 99),
            StormMetrics.Milliseconds(metrics.Latency, 99.9),
            metrics.Succeeded / loadSeconds,
            metrics.Needed == 0 ? 0 : 100.0 * metrics.Succeeded / metrics.Needed,
            metrics.Lost,
            metrics.Duplicated,
            metrics.DuplicateCopies,
            metrics.Timeouts,
            metrics.Retries,
            metrics.SentToDeadBroker,
            breakers?.Trips ?? 0,
            metrics.BreakerRejections,
            metrics.MetadataRefreshes,
            unfinished,
            processedEvents);

        var brokerOutcomes = brokers.Select((broker, index) => new BrokerOutcome(
            broker.Spec, broker.Alive, broker.ServiceSlowdownMicros > 0 || broker.ResponseDelayMicros > 0,
            cluster.LeaderCount(index), broker.Received, broker.Served, broker.Rejected, broker.Shed, broker.ReceivedWhileDead)).ToArray();

        var groups = new List<ClientGroup>();
        for (int zone = 0; zone < zones.Length; zone++)
        {
            int producers = 0, consumers = 0;
            for (int client = zone; client < clients.Count; client += zones.Length)
            {
                if (clients.IsProducer(client)) producers++;
                else consumers++;
            }
            string region = scenario.Topology.RegionOf(zones[zone]);
            if (producers > 0) groups.Add(new ClientGroup(zones[zone], region, "producers", producers));
            if (consumers > 0) groups.Add(new ClientGroup(zones[zone], region, "consumers", consumers));
        }

        var traffic = new List<TrafficFlow>();
        for (int zone = 0; zone < zones.Length; zone++)
            for (int kind = 0; kind < 2; kind++)
                for (int broker = 0; broker < brokers.Length; broker++)
                    if (groupBrokerRequests[(zone * 2 + kind) * brokers.Length + broker] is > 0 and var count)
                        traffic.Add(new TrafficFlow(zones[zone], kind == 0 ? "producers" : "consumers", brokers[broker].Spec.Id, count));

        return new StormResult(scenario, summary, metrics.Series, brokerOutcomes, groups, traffic, appliedFaults, wallTime);
    }
}
