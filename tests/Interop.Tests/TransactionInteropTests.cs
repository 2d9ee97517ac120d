using System.Collections.Concurrent;
using System.Text;
using KafkaNative.Consumer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// librdkafka's transactional producer (Confluent.Kafka) against the Sim's transaction coordinator: what it
/// commits is what read_committed readers (ours, librdkafka's, kcat) see, what it aborts they never see,
/// an open transaction holds them at the last stable offset, a second instance fences the first, and
/// offsets sent to a transaction become the group's only when it commits.
/// </summary>
public class TransactionInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TxnTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ConfluentTransactions_ReadCommittedReadersSeeExactlyTheCommittedRecords()
    {
        const string topic = "txn-mixed";
        await using SimulatedCluster sim = await StartAsync(topic, partitions: 3);
        // Five transactions over every partition, the odd ones aborted; the last one commits.
        (List<string> committed, List<string> all) = WriteTransactions(sim, "txn-mixed-writer", topic, partitions: 3,
            transactions: 5, perTransaction: 9, commits: t => t % 2 == 0, value: (t, commit, i) => $"t{t}-{(commit ? "commit" : "abort")}-{i}");

        Assert.Equal(committed.Order(), (await TransactionReaders.OurReadAsync(sim, topic, 3, IsolationLevel.ReadCommitted, committed.Count)).Order());
        Assert.Equal(all.Order(), (await TransactionReaders.OurReadAsync(sim, topic, 3, IsolationLevel.ReadUncommitted, all.Count)).Order());
        Assert.Equal(committed.Order(), (await TransactionReaders.ConfluentReadAsync(output, sim, topic, 3, committed.Count)).Order());
    }

    [SkippableFact]
    public async Task Kcat_ReadCommitted_AgreesWithTheCommittedRecords()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        const string topic = "txn-kcat";
        await using SimulatedCluster sim = await StartAsync(topic, partitions: 2);
        (List<string> committed, List<string> all) = WriteTransactions(sim, "txn-kcat-writer", topic, partitions: 2,
            transactions: 4, perTransaction: 6, commits: t => t != 1, value: (t, _, i) => $"k{t}-{i}");
        // Once ours has read every committed record, every marker is written and kcat's -e ends at the log end.
        await TransactionReaders.OurReadAsync(sim, topic, 2, IsolationLevel.ReadCommitted, committed.Count);

        Assert.Equal(committed.Order(), (await TransactionReaders.KcatReadAsync(sim, topic, "read_committed")).Order());
        Assert.Equal(all.Order(), (await TransactionReaders.KcatReadAsync(sim, topic, "read_uncommitted")).Order());
    }

    [Fact]
    public async Task OpenTransaction_HoldsReadCommittedReadersAtTheLastStableOffset_UntilItCommits()
    {
        const string topic = "txn-open";
        await using SimulatedCluster sim = await StartAsync(topic, partitions: 1);
        using Rd.IProducer<byte[]?, byte[]?> producer = TransactionalProducer(sim, "txn-open-writer");
        producer.InitTransactions(TxnTimeout);
        producer.BeginTransaction();
        for (int i = 0; i < 5; i++) producer.Produce(new Rd.TopicPartition(topic, 0), Message($"before-{i}"));
        producer.CommitTransaction(TxnTimeout);

        var options = Sims.OurConsumer(sim);
        options.IsolationLevel = IsolationLevel.ReadCommitted;
        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(options);
        consumer.Assign([new TopicPartitionOffset(topic, 0, TopicPartitionOffset.Beginning)]);
        var read = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        Task reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var result in consumer.ConsumeAsync(stop.Token)) read.Enqueue(Encoding.UTF8.GetString(result.Value!));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });
        await Eventually.TrueAsync(() => read.Count == 5, "read.Count == 5");

        producer.BeginTransaction();
        for (int i = 0; i < 5; i++) producer.Produce(new Rd.TopicPartition(topic, 0), Message($"open-{i}"));
        producer.Flush(TxnTimeout);
        // 5 records, their COMMIT marker at 5, then the open transaction's 5 records from offset 6.
        await Eventually.TrueAsync(() => sim.HighWatermark(topic, 0) == 11, "sim.HighWatermark(topic, 0) == 11");
        int leader = sim.LeaderOf(topic, 0);
        long fetches = sim.RequestCount(leader, Protocol.ApiKey.Fetch);
        // Ten more fetches answered while the transaction is open: none may hand out its records.
        await Eventually.TrueAsync(() => sim.RequestCount(leader, Protocol.ApiKey.Fetch) >= fetches + 10, "sim.RequestCount(leader, Protocol.ApiKey.Fetch) >= fetches + 10");
        Assert.Equal(5, read.Count);
        // librdkafka's read_committed end of partition is the last stable offset: the open transaction's first record.
        Assert.Equal(6, await ConfluentEndOffsetAsync(sim, topic));

        producer.CommitTransaction(TxnTimeout);
        await Eventually.TrueAsync(() => read.Count == 10, "read.Count == 10");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"before-{i}").Concat(Enumerable.Range(0, 5).Select(i => $"open-{i}")), read);
        await stop.CancelAsync();
        await reading;
    }

    [Fact]
    public async Task SecondInstance_FencesTheFirst_WhoseRecordsNeverBecomeVisible()
    {
        const string topic = "txn-fence";
        await using SimulatedCluster sim = await StartAsync(topic, partitions: 2);
        using Rd.IProducer<byte[]?, byte[]?> zombie = TransactionalProducer(sim, "txn-fence-writer");
        zombie.InitTransactions(TxnTimeout);
        zombie.BeginTransaction();
        for (int i = 0; i < 4; i++) zombie.Produce(new Rd.TopicPartition(topic, i % 2), Message($"zombie-{i}"));
        zombie.Flush(TxnTimeout);

        string[] live = Enumerable.Range(0, 6).Select(i => $"live-{i}").ToArray();
        using (Rd.IProducer<byte[]?, byte[]?> successor = TransactionalProducer(sim, "txn-fence-writer"))
        {
            // Aborts the zombie's open transaction and bumps the epoch past it.
            successor.InitTransactions(TxnTimeout);
            successor.BeginTransaction();
            for (int i = 0; i < live.Length; i++) successor.Produce(new Rd.TopicPartition(topic, i % 2), Message(live[i]));
            successor.CommitTransaction(TxnTimeout);
        }

        zombie.Produce(new Rd.TopicPartition(topic, 0), Message("zombie-late"));
        var failure = Assert.ThrowsAny<Rd.KafkaException>(() => zombie.CommitTransaction(TxnTimeout));
        output.WriteLine($"zombie's commit: {failure.Error.Code} fatal={failure.Error.IsFatal}: {failure.Message}");
        Assert.True(failure.Error.IsFatal || failure.Error.Code is Rd.ErrorCode.ProducerFenced or Rd.ErrorCode.InvalidProducerEpoch, failure.Error.ToString());

        Assert.Equal(live.Order(), (await TransactionReaders.OurReadAsync(sim, topic, 2, IsolationLevel.ReadCommitted, live.Length)).Order());
        Assert.Equal(live.Order(), (await TransactionReaders.ConfluentReadAsync(output, sim, topic, 2, live.Length)).Order());
    }

    [Fact]
    public async Task SendOffsetsToTransaction_CommitsTheGroupsOffsetOnlyWithTheTransaction()
    {
        const string input = "txn-ctp-in", outputTopic = "txn-ctp-out", group = "txn-ctp";
        await using SimulatedCluster sim = await StartAsync(input, partitions: 1);
        await sim.CreateTopicAsync(outputTopic, 1, 3);
        using (Rd.IProducer<byte[]?, byte[]?> plain = Librdkafka.Producer(Librdkafka.ProducerConfig(sim), output))
        {
            for (int i = 0; i < 6; i++) plain.Produce(new Rd.TopicPartition(input, 0), Message($"in-{i}"));
            plain.Flush(TxnTimeout);
        }
        var config = Librdkafka.ConsumerConfig(sim, group);
        config.EnableAutoCommit = false;
        config.IsolationLevel = Rd.IsolationLevel.ReadCommitted;
        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(config, output).Build();
        consumer.Subscribe(input);
        var consumed = await Librdkafka.ConsumeAsync(consumer, 6);
        var inputPartition = new Rd.TopicPartition(input, 0);
        // Asks for the group's offsets without require_stable: a read_committed member's ask would wait (KIP-447)
        // while a transaction holds the offset, where this one sees what is committed now.
        var watcherConfig = Librdkafka.ConsumerConfig(sim, group);
        watcherConfig.IsolationLevel = Rd.IsolationLevel.ReadUncommitted;
        using Rd.IConsumer<byte[]?, byte[]?> watcher = Librdkafka.ConsumerBuilder(watcherConfig, output).Build();

        using Rd.IProducer<byte[]?, byte[]?> producer = TransactionalProducer(sim, "txn-ctp-writer");
        producer.InitTransactions(TxnTimeout);
        // First round: transformed records and offsets in a transaction that aborts.
        producer.BeginTransaction();
        foreach (var record in consumed.Take(3)) producer.Produce(new Rd.TopicPartition(outputTopic, 0), Message("out-" + Encoding.UTF8.GetString(record.Message.Value!)));
        producer.SendOffsetsToTransaction([new Rd.TopicPartitionOffset(inputPartition, 3)], consumer.ConsumerGroupMetadata, TxnTimeout);
        Assert.Equal(Rd.Offset.Unset, Committed(watcher, inputPartition));
        producer.AbortTransaction(TxnTimeout);
        // Second round: the same, committed.
        producer.BeginTransaction();
        foreach (var record in consumed) producer.Produce(new Rd.TopicPartition(outputTopic, 0), Message("out-" + Encoding.UTF8.GetString(record.Message.Value!)));
        producer.SendOffsetsToTransaction([new Rd.TopicPartitionOffset(inputPartition, 6)], consumer.ConsumerGroupMetadata, TxnTimeout);
        Assert.Equal(Rd.Offset.Unset, Committed(watcher, inputPartition));
        producer.CommitTransaction(TxnTimeout);

        // The markers (and with them the offsets) land just after EndTxn answers.
        await Eventually.TrueAsync(() => Committed(watcher, inputPartition) == 6, "Committed(watcher, inputPartition) == 6");
        string[] expected = Enumerable.Range(0, 6).Select(i => $"out-in-{i}").ToArray();
        Assert.Equal(expected, await TransactionReaders.OurReadAsync(sim, outputTopic, 1, IsolationLevel.ReadCommitted, expected.Length));
    }

    private static Rd.Offset Committed(Rd.IConsumer<byte[]?, byte[]?> consumer, Rd.TopicPartition partition) =>
        consumer.Committed([partition], TxnTimeout).Single().Offset;

    private static async Task<SimulatedCluster> StartAsync(string topic, int partitions)
    {
        SimulatedCluster sim = await Sims.StartAsync(brokers: 3);
        await sim.CreateTopicAsync(topic, partitions, 3);
        return sim;
    }

    /// <summary>
    /// Writes <paramref name="transactions"/> transactions of <paramref name="perTransaction"/> records spread over the
    /// partitions with librdkafka's transactional producer, committing those <paramref name="commits"/> picks and
    /// aborting the others; every record is flushed first, so aborted ones are in the log for read_uncommitted.
    /// </summary>
    private (List<string> Committed, List<string> All) WriteTransactions(SimulatedCluster sim, string transactionalId, string topic,
        int partitions, int transactions, int perTransaction, Func<int, bool> commits, Func<int, bool, int, string> value)
    {
        var committed = new List<string>();
        var all = new List<string>();
        using Rd.IProducer<byte[]?, byte[]?> producer = TransactionalProducer(sim, transactionalId);
        producer.InitTransactions(TxnTimeout);
        for (int t = 0; t < transactions; t++)
        {
            bool commit = commits(t);
            producer.BeginTransaction();
            string[] values = Enumerable.Range(0, perTransaction).Select(i => value(t, commit, i)).ToArray();
            for (int i = 0; i < values.Length; i++) producer.Produce(new Rd.TopicPartition(topic, i % partitions), Message(values[i]));
            producer.Flush(TxnTimeout);
            if (commit) producer.CommitTransaction(TxnTimeout); else producer.AbortTransaction(TxnTimeout);
            all.AddRange(values);
            if (commit) committed.AddRange(values);
        }
        return (committed, all);
    }

    private Rd.IProducer<byte[]?, byte[]?> TransactionalProducer(SimulatedCluster sim, string transactionalId)
    {
        Rd.ProducerConfig config = Librdkafka.ProducerConfig(sim);
        config.TransactionalId = transactionalId;
        config.TransactionTimeoutMs = 90_000; // not below message.timeout.ms
        return Librdkafka.Producer(config, output);
    }

    private static Rd.Message<byte[]?, byte[]?> Message(string value) => new() { Key = null, Value = Encoding.UTF8.GetBytes(value) };

    /// <summary>Where librdkafka's read_committed consumer finds the end of partition 0 (its EOF is the last stable offset).</summary>
    private async Task<long> ConfluentEndOffsetAsync(SimulatedCluster sim, string topic)
    {
        var config = Librdkafka.ConsumerConfig(sim);
        config.IsolationLevel = Rd.IsolationLevel.ReadCommitted;
        config.EnablePartitionEof = true;
        using Rd.IConsumer<byte[]?, byte[]?> consumer = Librdkafka.ConsumerBuilder(config, output).Build();
        consumer.Assign([new Rd.TopicPartitionOffset(topic, 0, Rd.Offset.Beginning)]);
        return await Task.Run(() =>
        {
            DateTime deadline = DateTime.UtcNow + Sims.Generous;
            while (DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: true } eof) return eof.Offset.Value;
            }
            throw new TimeoutException("librdkafka never reached the end of the partition.");
        });
    }
}
