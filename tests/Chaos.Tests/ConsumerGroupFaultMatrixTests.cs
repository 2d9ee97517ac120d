using KafkaNative.Sim;

namespace KafkaNative.Chaos.Tests;

/// <summary>
/// The consumer-group column of the fault matrix: three of our consumers and a kcat member share the
/// topic while the producer writes it and the fault strikes twice; afterwards the group must have read
/// every stored record, correctly, re-reading only what was not committed.
/// </summary>
public class ConsumerGroupFaultMatrixTests(ITestOutputHelper output)
{
    private const int Cycles = 2;
    private const string Group = "chaos-group";
    private static readonly int Records = FaultRun.RecordsFor(Cycles);
    private static readonly TimeSpan ReadEverything = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Faults => new(FaultCatalog.Names);

    [SkippableTheory]
    [MemberData(nameof(Faults))]
    public Task TheGroupReadsEveryRecordAndRereadsOnlyUncommittedOnes(string fault) => RunCellAsync(fault);

    private async Task RunCellAsync(string fault)
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        await using SimulatedCluster cluster = await ChaosCluster.StartAsync();
        await using ConsumerGroupWorkload group = await ConsumerGroupWorkload.StartAsync(cluster.BootstrapServers, ChaosCluster.Topic, ChaosSettings.Partitions, Group);
        var target = new FaultTarget(cluster, ChaosCluster.Topic, ChaosSettings.Partitions, Group);
        var workload = new OurProducerWorkload(cluster.BootstrapServers, ChaosCluster.Topic, Records);

        FaultRunReport report = await new FaultRun(FaultCatalog.Create(fault), Cycles).RunAsync(target, workload, Records);
        LogAudit log = LogAudit.Check(cluster, ChaosCluster.Topic, ChaosSettings.Partitions, workload.Ledger);
        output.WriteLine($"{report}\nlog: {log}");
        ChaosAssert.ProducerHeld(report, log, Records);

        await group.WaitUntilReadAsync([.. log.Stored.Keys], ReadEverything);
        ConsumptionAudit consumption = ConsumptionAudit.Check(group.Log, log.Stored);
        output.WriteLine($"group: {consumption}");
        Assert.True(consumption.Clean, $"the group under {fault}: {consumption}");
    }
}
