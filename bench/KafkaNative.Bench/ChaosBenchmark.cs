using System.Globalization;
using KafkaNative.Chaos;
using KafkaNative.Sim;
using KafkaNative.TestSupport;

namespace KafkaNative.Bench;

/// <summary>
/// <c>chaos --fault F[,F...]|all --iterations N [--records R]</c>: for each fault and iteration, our
/// producer and then kcat each write R keyed records, acks=all and idempotent, unthrottled, to a fresh
/// embedded 3-broker <see cref="SimulatedCluster"/>, and the fault strikes once mid-stream. Prints one
/// table row per run: records handed over and not yet settled when the fault struck (the backlog it
/// met), the longest gap between successive acknowledgements, records failed, and lost
/// and duplicated as the Sim's stored log shows them, and connection attempts per second of fault at
/// the faulted broker (a broker that is down is stood in for by a <see cref="RefusingListener"/> that
/// resets and counts them).
/// </summary>
internal static class ChaosBenchmark
{
    private const int FaultCycles = 1;

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args, new HashSet<string>());
        string faultList = arguments.Required("--fault");
        IReadOnlyList<string> faults = faultList == "all" ? FaultCatalog.ProducerFaults : faultList.Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (string fault in faults)
            if (!FaultCatalog.Create(fault).AffectsProducers) throw new ArgumentException($"{fault} does not touch producers; the chaos bench runs producers.");
        int iterations = checked((int)arguments.Number("--iterations", 1));
        int records = checked((int)arguments.Number("--records", 100_000));
        if (iterations < 1) throw new ArgumentException("--iterations must be at least 1.");
        if (records < 2 * ChaosSettings.StreamChunk) throw new ArgumentException($"--records must be at least {2 * ChaosSettings.StreamChunk}, so the fault strikes mid-stream.");
        if (!Kcat.IsInstalled) throw new ArgumentException($"kcat is needed at {Kcat.Path}.");

        Console.WriteLine($"chaos: {records:N0} records per run, request timeout {ChaosSettings.RequestTimeout.TotalSeconds} s, delivery timeout {ChaosSettings.DeliveryTimeout.TotalSeconds} s, " +
            $"broker session timeout {ChaosCluster.BrokerSessionTimeout.TotalSeconds} s");
        Console.WriteLine("| fault | run | ours backlog | ours ack gap s | ours failed/lost/dup | ours conn/s | kcat backlog | kcat ack gap s | kcat failed/lost/dup | kcat conn/s |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string fault in faults)
            for (int run = 1; run <= iterations; run++)
            {
                Outcome ours = await RunAsync(fault, url => new OurProducerWorkload(url, ChaosCluster.Topic, records), records);
                Outcome kcat = await RunAsync(fault, url => new KcatProducerWorkload(url, ChaosCluster.Topic, records), records);
                Console.WriteLine($"| {fault} | {run} | {ours.Backlog} | {ours.Gap} | {ours.Counts} | {ours.ConnectionsPerSecond} | {kcat.Backlog} | {kcat.Gap} | {kcat.Counts} | {kcat.ConnectionsPerSecond} |");
            }
        return 0;
    }

    private static async Task<Outcome> RunAsync(string fault, Func<string, IProduceWorkload> workloadFor, int records)
    {
        await using SimulatedCluster cluster = await ChaosCluster.StartAsync();
        IProduceWorkload workload = workloadFor(cluster.BootstrapServers);
        var target = new FaultTarget(cluster, ChaosCluster.Topic, ChaosSettings.Partitions);
        FaultRunReport report = await new FaultRun(FaultCatalog.Create(fault), FaultCycles, countRefusedConnections: true).RunAsync(target, workload, records);
        LogAudit log = LogAudit.Check(cluster, ChaosCluster.Topic, ChaosSettings.Partitions, workload.Ledger);
        if (!log.Clean || report.Failed > 0) Console.Error.WriteLine($"{workload.Client} under {fault}: failed {report.Failed} ({report.FirstFailure}); log: {log}");
        return new Outcome(
            report.SmallestBacklogAtInjection,
            report.LongestAckGap.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
            $"{report.Failed}/{log.Lost}/{log.Duplicated}",
            double.IsNaN(report.VictimConnectionsPerSecond) ? "n/a" : report.VictimConnectionsPerSecond.ToString("F1", CultureInfo.InvariantCulture));
    }

    private sealed record Outcome(long Backlog, string Gap, string Counts, string ConnectionsPerSecond);
}
