using KafkaNative.Protocol;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// Puts a real run into the shape of a modelled one (<see cref="StormResult"/>), so one report draws both. The
/// real clients have no zone of their own: they are drawn in the topology's first zone. Retries are the producers'
/// partition retries (a batch of records sent again counts once), breaker trips the openings of their breakers. Not
/// measured on a real run, and so zero: breaker rejections, requests shed or rejected by brokers.
/// Lost is the model's: records stored nowhere, whether or not the caller was told of a failure (the real run's
/// own table counts acknowledged records missing from the log).
/// </summary>
internal static class RealRunShape
{
    public static StormResult ToStormResult(
        Scenario scenario, RealClientConfig config, RealRunSettings settings, RealStormSummary real, RealLogAudit audit, RealTelemetry telemetry,
        IReadOnlyList<RealSampler.Sample> samples, SimulatedCluster cluster, RealBrokerStates brokers, RealLedger ledger, bool onWallClock)
    {
        var topology = scenario.Topology;
        var shown = scenario with { Clients = settings.Producers, DurationSeconds = settings.Seconds };
        int verdicts = real.Succeeded + real.Failed;
        var summary = new StormSummary(
            scenario.Name, $"real {config.Name}", settings.Producers, real.Offered, real.ProduceRequests, real.Amplification,
            real.P50Ms, real.P99Ms, ledger.LatencyMs(99.9), real.GoodputPerSecond, real.Offered == 0 ? 0 : 100.0 * real.Succeeded / real.Offered,
            real.Offered - audit.Distinct, audit.Duplicated, audit.DuplicateCopies, telemetry.Timeouts, telemetry.Retries, telemetry.FailedConnects,
            telemetry.BreakerOpenings, BreakerRejections: 0, real.MetadataRequests, real.Offered - verdicts, real.TimersFired);

        var series = new List<SecondSample>(samples.Count);
        var previous = new RealSampler.Sample(0, 0, 0, 0, 0);
        for (int second = 0; second < samples.Count; second++)
        {
            var now = samples[second];
            var verdict = ledger.SecondAt(second);
            series.Add(new SecondSample(
                second, verdict.Offered, now.ProduceRequests - previous.ProduceRequests, verdict.Succeeded, verdict.Failed, now.Pending,
                now.Timeouts - previous.Timeouts, now.Retries - previous.Retries, now.FailedConnects - previous.FailedConnects, verdict.P50Ms, verdict.P99Ms, verdict.P999Ms));
            previous = now;
        }

        string zone = topology.Zones[0];
        var outcomes = new List<BrokerOutcome>();
        var traffic = new List<TrafficFlow>();
        for (int index = 0; index < topology.Brokers.Count; index++)
        {
            var spec = topology.Brokers[index];
            long received = Enum.GetValues<ApiKey>().Sum(api => cluster.RequestCount(index, api));
            int leaderships = topology.Topics.Sum(topic => Enumerable.Range(0, topic.Partitions).Count(partition => cluster.LeaderOf(topic.Name, partition) == index));
            outcomes.Add(new BrokerOutcome(spec, !brokers.IsDead(index), brokers.IsSlowed(index), leaderships, received, received, Rejected: 0, Shed: 0, ReceivedWhileDead: 0));
            traffic.Add(new TrafficFlow(zone, "producers", spec.Id, cluster.RequestCount(index, ApiKey.Produce)));
            traffic.Add(new TrafficFlow(zone, "consumers", spec.Id, cluster.RequestCount(index, ApiKey.Fetch)));
        }
        ClientGroup[] groups = [new(zone, topology.RegionOf(zone), "producers", settings.Producers), new(zone, topology.RegionOf(zone), "consumers", 1)];
        return new StormResult(shown, summary, series, outcomes, groups, traffic, brokers.Applied, real.WallTime, $"real-{config.Name}", onWallClock);
    }
}
