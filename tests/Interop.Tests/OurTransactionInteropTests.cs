using System.Text;
using KafkaNative.Sim;
using Xunit.Abstractions;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// Our transactional producer on the Sim, judged by independent readers: kcat and librdkafka (read_committed)
/// see exactly what it committed, read_uncommitted sees everything it wrote, and a fenced instance's records
/// never become visible.
/// </summary>
public class OurTransactionInteropTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task OurTransactions_CommittedAreVisible_AbortedAreNot_ToKcatLibrdkafkaAndOurs()
    {
        const string topic = "our-txn-mixed";
        await using SimulatedCluster sim = await StartAsync(topic, partitions: 3);
        var committed = new List<string>();
        var all = new List<string>();
        await using (KafkaProducer<string, string> producer = new(TransactionalOptions(sim, "our-txn-mixed-writer")))
        {
            await producer.InitTransactionsAsync();
            for (int t = 0; t < 6; t++)
            {
                bool commit = t % 2 == 0 || t == 5;
                producer.BeginTransaction();
                string[] values = Enumerable.Range(0, 30).Select(i => $"t{t}-{(commit ? "commit" : "abort")}-{i}").ToArray();
                // Half awaited one by one, half fire-and-forget: a commit must wait for both.
                for (int i = 0; i < values.Length; i++)
                {
                    if (i % 2 == 0) await producer.ProduceAsync(topic, i % 3, null, values[i]);
                    else await producer.EnqueueAsync(topic, $"key-{i}", values[i]);
                }
                if (commit) await producer.CommitTransactionAsync();
                else await producer.AbortTransactionAsync();
                all.AddRange(values);
                if (commit) committed.AddRange(values);
            }
        }

        Assert.Equal(committed.Order(), (await TransactionReaders.OurReadAsync(sim, topic, 3, IsolationLevel.ReadCommitted, committed.Count)).Order());
        Assert.Equal(committed.Order(), (await TransactionReaders.ConfluentReadAsync(output, sim, topic, 3, committed.Count)).Order());
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        Assert.Equal(committed.Order(), (await TransactionReaders.KcatReadAsync(sim, topic, "read_committed")).Order());
        Assert.Equal(all.Order(), (await TransactionReaders.KcatReadAsync(sim, topic, "read_uncommitted")).Order());
    }

    [Fact]
    public async Task SecondInstance_FencesOurFirst_WhoseNextOperationFailsFatally_AndWhoseRecordsStayInvisible()
    {
        const string topic = "our-txn-fence";
        await using SimulatedCluster sim = await StartAsync(topic, partitions: 2);
        await using var zombie = new KafkaProducer<string, string>(TransactionalOptions(sim, "our-txn-fence-writer"));
        await zombie.InitTransactionsAsync();
        zombie.BeginTransaction();
        for (int i = 0; i < 4; i++) await zombie.ProduceAsync(topic, i % 2, null, $"zombie-{i}");

        string[] live = Enumerable.Range(0, 6).Select(i => $"live-{i}").ToArray();
        await using (var successor = new KafkaProducer<string, string>(TransactionalOptions(sim, "our-txn-fence-writer")))
        {
            // Aborts the zombie's open transaction and bumps the epoch past it.
            await successor.InitTransactionsAsync();
            successor.BeginTransaction();
            for (int i = 0; i < live.Length; i++) await successor.ProduceAsync(topic, i % 2, null, live[i]);
            await successor.CommitTransactionAsync();
        }

        // The zombie's late write is refused by the partition (KIP-588: abortable), and the abort that
        // follows learns from the coordinator that it was fenced: fatal from then on.
        await Assert.ThrowsAnyAsync<KafkaException>(async () => await zombie.ProduceAsync(topic, 0, null, "zombie-late"));
        var commit = await Assert.ThrowsAsync<KafkaTransactionException>(() => zombie.CommitTransactionAsync());
        output.WriteLine($"zombie's commit: {commit.Message}");
        Assert.True(commit.RequiresAbort);
        var abort = await Assert.ThrowsAsync<KafkaTransactionException>(() => zombie.AbortTransactionAsync());
        Assert.True(abort.IsFatal, abort.Message);
        Assert.Equal(Protocol.ErrorCode.ProducerFenced, abort.ErrorCode);
        Assert.True(Assert.Throws<KafkaTransactionException>(zombie.BeginTransaction).IsFatal);

        Assert.Equal(live.Order(), (await TransactionReaders.OurReadAsync(sim, topic, 2, IsolationLevel.ReadCommitted, live.Length)).Order());
        Assert.Equal(live.Order(), (await TransactionReaders.ConfluentReadAsync(output, sim, topic, 2, live.Length)).Order());
        if (Kcat.IsInstalled) Assert.Equal(live.Order(), (await TransactionReaders.KcatReadAsync(sim, topic, "read_committed")).Order());
    }

    [Fact]
    public async Task CommitWithoutFlushing_FencedBeforeEndTxn_IsFatalAtOnce()
    {
        const string topic = "our-txn-fence-commit";
        await using SimulatedCluster sim = await StartAsync(topic, partitions: 1);
        await using var zombie = new KafkaProducer<string, string>(TransactionalOptions(sim, "our-txn-fence-commit"));
        await zombie.InitTransactionsAsync();
        zombie.BeginTransaction();
        await zombie.ProduceAsync(topic, 0, null, "zombie");
        await using (var successor = new KafkaProducer<string, string>(TransactionalOptions(sim, "our-txn-fence-commit")))
            await successor.InitTransactionsAsync();

        var commit = await Assert.ThrowsAsync<KafkaTransactionException>(() => zombie.CommitTransactionAsync());
        Assert.True(commit.IsFatal, commit.Message);
        await Assert.ThrowsAsync<KafkaTransactionException>(async () => await zombie.ProduceAsync(topic, 0, null, "after"));
    }

    [Fact]
    public async Task ReadCommittedMember_WaitsOutOffsetsATransactionIsCommitting_ThenStartsFromThem()
    {
        const string input = "our-txn-stable", group = "our-txn-stable-group";
        await using SimulatedCluster sim = await StartAsync(input, partitions: 1);
        await using (var plain = new KafkaProducer<string, string>(Sims.OurProducer(sim)))
            for (int i = 0; i < 10; i++) await plain.ProduceAsync(input, 0, null, $"in-{i}");
        await using var producer = new KafkaProducer<string, string>(TransactionalOptions(sim, "our-txn-stable-writer"));
        await producer.InitTransactionsAsync();
        producer.BeginTransaction();
        // As a member that has since left would: no generation to check.
        await producer.SendOffsetsToTransactionAsync([new TopicPartitionOffset(input, 0, 6)], new ConsumerGroupMetadata(group, -1, "", null));

        var options = Sims.OurConsumer(sim, group);
        options.IsolationLevel = IsolationLevel.ReadCommitted;
        options.EnableAutoCommit = false;
        await using var consumer = new KafkaConsumer<string, string>(options);
        consumer.Subscribe([input]);
        var read = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        Task reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var result in consumer.ConsumeAsync(stop.Token)) read.Enqueue(result.Value!);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });
        // KIP-447: the coordinator answers UNSTABLE_OFFSET_COMMIT while the transaction holds the offset; the member asks again.
        int coordinator = sim.CoordinatorOf(group);
        await Eventually.TrueAsync(() => sim.RequestCount(coordinator, Protocol.ApiKey.OffsetFetch) >= 4, "the member asked for its offsets four times");
        Assert.Empty(read);

        await producer.CommitTransactionAsync();
        await Eventually.TrueAsync(() => read.Count == 4, () => $"read {read.Count} of the 4 records after offset 6");
        Assert.Equal(["in-6", "in-7", "in-8", "in-9"], read);
        await stop.CancelAsync();
        await reading;
    }

    private static async Task<SimulatedCluster> StartAsync(string topic, int partitions)
    {
        SimulatedCluster sim = await Sims.StartAsync(brokers: 3);
        await sim.CreateTopicAsync(topic, partitions, 3);
        return sim;
    }

    private static ProducerOptions TransactionalOptions(SimulatedCluster sim, string transactionalId)
    {
        ProducerOptions options = Sims.OurProducer(sim);
        options.TransactionalId = transactionalId;
        options.TransactionTimeout = TimeSpan.FromSeconds(30);
        return options;
    }
}
