using KafkaNative.Admin;
using KafkaNative.Sim;

namespace KafkaNative.Chaos.Tests;

/// <summary>
/// The transactions column of the fault matrix: consume-transform-produce with our read_committed consumers
/// and transactional producers, each fault struck while transactions are in flight, a member killed and
/// replaced during the fault, and every seventh transaction aborted on purpose. The Sim's log, read marker
/// by marker, must show every input record committed exactly once and nothing left open; the group's
/// offsets must have committed with them; and kcat, reading read_committed, must agree.
/// </summary>
public class TransactionFaultMatrixTests(ITestOutputHelper output)
{
    private const int Records = 30_000;
    private const int Workers = 3;
    private static readonly TimeSpan CopyEverything = TimeSpan.FromSeconds(120);

    public static TheoryData<string> Faults => new(["kill-restart", "leader-move", "latency-over-timeout", "coordinator-move", "transaction-coordinator-kill"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task EveryInputRecordIsCommittedToTheOutputExactlyOnce(string faultName)
    {
        await using SimulatedCluster cluster = await ChaosCluster.StartAsync();
        var pipeline = await ExactlyOncePipeline.StartAsync(cluster, Workers, Records, abortEvery: 7);
        TransactionLogAudit copied;
        try
        {
            Fault fault = faultName == "transaction-coordinator-kill" ? new TransactionCoordinatorKillFault() : FaultCatalog.Create(faultName);
            var target = new FaultTarget(cluster, ExactlyOncePipeline.Output, ChaosSettings.Partitions, ExactlyOncePipeline.Group, TransactionalId: "eos-txn-0");
            // Strike once transactions are committing, so some are in flight when it lands.
            await Eventually.TrueAsync(() => pipeline.Committed >= 5, () => $"five transactions before the fault ({pipeline.Describe()})");
            await fault.InjectAsync(target);
            await Task.Delay(fault.Hold / 2);
            pipeline.KillAndReplace(0);
            await Task.Delay(fault.Hold / 2);
            await fault.HealAsync(target);
            await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(60));
            copied = await pipeline.WaitUntilCopiedAsync(CopyEverything);
            output.WriteLine($"{faultName} (victim {fault.Victim}): {pipeline.Describe()}");
        }
        finally
        {
            await pipeline.DisposeAsync();
        }

        // Closing members abort what they had open; once the markers are written nothing stays open.
        TransactionLogAudit audit = copied;
        await Eventually.TrueAsync(() => (audit = TransactionLogAudit.Check(cluster, ExactlyOncePipeline.Output, ChaosSettings.Partitions, Records)).Open == 0,
            () => $"every transaction ended: {audit}");
        output.WriteLine($"output: {audit}");
        Assert.True(audit.ExactlyOnce, $"under {faultName}: {audit}");
        Assert.True(audit.Aborted > 0, $"aborted transactions should have left invisible records in the log: {audit}");

        await using var admin = new KafkaAdminClient(new KafkaClientOptions { BootstrapServers = cluster.BootstrapServers });
        IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets = await admin.ListConsumerGroupOffsetsAsync(ExactlyOncePipeline.Group);
        for (int partition = 0; partition < ChaosSettings.Partitions; partition++)
            Assert.Equal(cluster.HighWatermark(ExactlyOncePipeline.Input, partition), offsets[new TopicPartition(ExactlyOncePipeline.Input, partition)].Offset);

        if (!Kcat.IsInstalled) return;
        Kcat.Result kcat = await Kcat.RunAsync(
            $"-b {cluster.BootstrapServers} -C -t {ExactlyOncePipeline.Output} -e -o beginning -q -f %s\\n -X isolation.level=read_committed", TimeSpan.FromSeconds(60));
        Assert.True(kcat.ExitCode == 0, kcat.Stderr);
        string[] seen = kcat.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Records, seen.Length);
        Assert.Equal(Records, seen.Distinct().Count());
    }
}
