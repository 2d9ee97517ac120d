using KafkaNative.Sim;

namespace KafkaNative.Chaos.Tests;

/// <summary>
/// The consumer-group column again, with four of our members on KIP-848's consumer protocol: the producer writes
/// while the fault strikes twice; afterwards the group must have read every stored record, correctly, re-reading
/// only what was not committed, and the coordinator must never have seen a partition owned by two members.
/// </summary>
public class ConsumerProtocolFaultMatrixTests(ITestOutputHelper output)
{
    private const int Cycles = 2;
    private const string Group = "chaos-kip848";
    private static readonly int Records = FaultRun.RecordsFor(Cycles);
    private static readonly TimeSpan ReadEverything = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Faults => new(["coordinator-move", "kill-restart", "leader-move", "drop-connections"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task TheGroupReadsEveryRecord_AndNoPartitionIsEverOwnedTwice(string fault)
    {
        await using SimulatedCluster cluster = await ChaosCluster.StartAsync();
        await using ConsumerGroupWorkload group = await ConsumerGroupWorkload.StartAsync(cluster.BootstrapServers, ChaosCluster.Topic, ChaosSettings.Partitions, Group, GroupProtocol.Consumer);
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
        ConsumerGroupView view = cluster.ConsumerGroup(Group)!;
        Assert.False(view.HasDoubleOwnership, $"under {fault}: {view.FirstDoubleOwnership}");
    }
}
