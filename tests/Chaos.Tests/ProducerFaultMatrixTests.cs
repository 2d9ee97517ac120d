using KafkaNative.Sim;

namespace KafkaNative.Chaos.Tests;

/// <summary>
/// The producer column of the fault matrix: our unthrottled keyed idempotent producer, each fault
/// injected three times mid-stream, the log read back by the independent checker.
/// </summary>
public class ProducerFaultMatrixTests(ITestOutputHelper output)
{
    private const int Cycles = 3;
    private static readonly int Records = FaultRun.RecordsFor(Cycles);

    public static TheoryData<string> Faults => new(FaultCatalog.ProducerFaults);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task EveryAcknowledgedRecordIsStoredOnceAndInOrder(string fault) => RunCellAsync(fault);

    private async Task RunCellAsync(string fault)
    {
        await using SimulatedCluster cluster = await ChaosCluster.StartAsync();
        var target = new FaultTarget(cluster, ChaosCluster.Topic, ChaosSettings.Partitions);
        var workload = new OurProducerWorkload(cluster.BootstrapServers, ChaosCluster.Topic, Records);

        FaultRunReport report = await new FaultRun(FaultCatalog.Create(fault), Cycles).RunAsync(target, workload, Records);

        LogAudit log = LogAudit.Check(cluster, ChaosCluster.Topic, ChaosSettings.Partitions, workload.Ledger);
        output.WriteLine($"{report}\nlog: {log}");
        ChaosAssert.ProducerHeld(report, log, Records);
    }
}
