using KafkaNative.Protocol;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim;

namespace KafkaNative.Producer.Tests;

/// <summary>
/// The transactional producer's states and error classes on the Sim: misuse refused with a clear exception,
/// passing coordinator errors retried, authorization fatal, a failed record making the transaction abortable
/// and the next one start under a bumped epoch, an open transaction aborted on close or by its timeout.
/// What is visible is judged by a read_committed consumer reading up to a final committed record.
/// </summary>
public class TransactionalProducerTests
{
    private const string Topic = "txn";

    [Fact]
    public async Task Misuse_IsRefusedWithAClearException()
    {
        await using SimulatedCluster cluster = await StartAsync();
        Assert.Throws<ArgumentException>(() => new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers, TransactionalId = "" }));
        Assert.Throws<ArgumentException>(() => new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers, TransactionalId = "t", EnableIdempotence = false }));
        await using (var plain = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers }))
            Assert.Contains("TransactionalId", (await Assert.ThrowsAsync<InvalidOperationException>(() => plain.InitTransactionsAsync())).Message);

        await using var producer = new KafkaProducer<string, string>(Options(cluster, "misuse"));
        Assert.Contains("InitTransactionsAsync", Assert.Throws<InvalidOperationException>(producer.BeginTransaction).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await producer.ProduceAsync(Topic, null, "early"));
        await producer.InitTransactionsAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.InitTransactionsAsync());
        Assert.Contains("BeginTransaction", (await Assert.ThrowsAsync<InvalidOperationException>(async () => await producer.ProduceAsync(Topic, null, "outside"))).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.CommitTransactionAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.AbortTransactionAsync());
        producer.BeginTransaction();
        Assert.Throws<InvalidOperationException>(producer.BeginTransaction);
        await Assert.ThrowsAsync<ArgumentException>(() => producer.SendOffsetsToTransactionAsync([new TopicPartitionOffset(Topic, 0, -1)], new ConsumerGroupMetadata("g", -1, "", null)));
        await Assert.ThrowsAsync<ArgumentNullException>(() => producer.SendOffsetsToTransactionAsync([], null!));
        // An empty transaction commits without asking the coordinator anything.
        await producer.CommitTransactionAsync();
    }

    [Fact]
    public async Task PassingCoordinatorErrors_AreRetried_AndEveryTransactionCommits()
    {
        await using SimulatedCluster cluster = await StartAsync();
        cluster.InjectError(ApiKey.InitProducerId, ErrorCode.CoordinatorLoadInProgress, 0.5);
        cluster.InjectError(ApiKey.AddPartitionsToTxn, ErrorCode.NotCoordinator, 0.5);
        cluster.InjectError(ApiKey.EndTxn, ErrorCode.ConcurrentTransactions, 0.5);
        await using var producer = new KafkaProducer<string, string>(Options(cluster, "passing"));
        await producer.InitTransactionsAsync();
        var expected = new List<string>();
        for (int t = 0; t < 5; t++)
        {
            producer.BeginTransaction();
            for (int i = 0; i < 10; i++)
            {
                await producer.EnqueueAsync(Topic, $"k{i}", $"t{t}-{i}");
                expected.Add($"t{t}-{i}");
            }
            await producer.CommitTransactionAsync();
        }
        cluster.ClearInjectedErrors();

        Assert.Equal(expected.Order(), (await ReadCommittedThroughEndAsync(cluster, producer)).Order());
    }

    [Fact]
    public async Task TransactionalIdAuthorizationFailure_IsFatal()
    {
        await using SimulatedCluster cluster = await StartAsync();
        await using var producer = new KafkaProducer<string, string>(Options(cluster, "unauthorized"));
        await producer.InitTransactionsAsync();
        cluster.InjectError(ApiKey.AddPartitionsToTxn, ErrorCode.TransactionalIdAuthorizationFailed, 1.0);
        producer.BeginTransaction();
        await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync(Topic, null, "refused"));

        var commit = await Assert.ThrowsAsync<KafkaTransactionException>(() => producer.CommitTransactionAsync());
        Assert.True(commit.IsFatal);
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, commit.ErrorCode);
        Assert.True((await Assert.ThrowsAsync<KafkaTransactionException>(() => producer.AbortTransactionAsync())).IsFatal);
    }

    [Fact]
    public async Task ACoordinatorUnreachablePastTheTransactionTimeout_FailsTheRecords_AndTheTransactionIsAborted()
    {
        await using SimulatedCluster cluster = await StartAsync();
        ProducerOptions options = Options(cluster, "unreachable");
        options.TransactionTimeout = TimeSpan.FromSeconds(1);
        await using var producer = new KafkaProducer<string, string>(options);
        await producer.InitTransactionsAsync();
        cluster.InjectError(ApiKey.AddPartitionsToTxn, ErrorCode.CoordinatorNotAvailable, 1.0);
        producer.BeginTransaction();
        var failed = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync(Topic, null, "never"));
        Assert.IsType<KafkaTransactionException>(failed.InnerException);
        cluster.ClearInjectedErrors();

        Assert.True((await Assert.ThrowsAsync<KafkaTransactionException>(() => producer.CommitTransactionAsync())).RequiresAbort);
        await producer.AbortTransactionAsync();
        // The broker's flusher carried on: the next transaction goes through it.
        producer.BeginTransaction();
        await producer.ProduceAsync(Topic, null, "after");
        await producer.CommitTransactionAsync();
        Assert.Equal(["after"], await ReadCommittedThroughEndAsync(cluster, producer));
    }

    [Fact]
    public async Task AFailedRecord_RequiresAbort_AndTheNextTransactionCommitsUnderABumpedEpoch()
    {
        await using SimulatedCluster cluster = await StartAsync();
        await using var producer = new KafkaProducer<string, string>(Options(cluster, "bump"));
        await producer.InitTransactionsAsync();
        producer.BeginTransaction();
        await producer.ProduceAsync(Topic, null, "doomed-written");
        cluster.InjectError(ApiKey.Produce, ErrorCode.InvalidRecord, 1.0);
        await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync(Topic, null, "doomed-refused"));
        cluster.ClearInjectedErrors();

        var commit = await Assert.ThrowsAsync<KafkaTransactionException>(() => producer.CommitTransactionAsync());
        Assert.True(commit.RequiresAbort, commit.Message);
        Assert.Throws<KafkaTransactionException>(producer.BeginTransaction);
        await producer.AbortTransactionAsync();

        producer.BeginTransaction();
        await producer.ProduceAsync(Topic, null, "kept");
        await producer.CommitTransactionAsync();
        Assert.Equal(["kept"], await ReadCommittedThroughEndAsync(cluster, producer));
        // The sequence started over under a new epoch: "kept" went in at sequence 0 of an epoch above the doomed one's.
        List<RecordBatchHeader> data = DataBatches(cluster);
        Assert.True(data[^2].ProducerEpoch > data[0].ProducerEpoch, $"epochs {data[0].ProducerEpoch} then {data[^2].ProducerEpoch}");
        Assert.Equal(0, data[^2].BaseSequence);
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(1, false)]
    public async Task TransactionsV2_BumpTheEpochAtEveryEnd_WhereTheClusterRunsThem(short transactionVersion, bool bumpsEveryEnd)
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, Seed = 11, TransactionVersion = transactionVersion });
        await cluster.CreateTopicAsync(Topic, 1);
        await using var producer = new KafkaProducer<string, string>(Options(cluster, "v2"));
        await producer.InitTransactionsAsync();
        for (int t = 0; t < 3; t++)
        {
            producer.BeginTransaction();
            await producer.ProduceAsync(Topic, null, $"t{t}-a");
            await producer.ProduceAsync(Topic, null, $"t{t}-b");
            if (t == 1) await producer.AbortTransactionAsync();
            else await producer.CommitTransactionAsync();
        }
        Assert.Equal(["t0-a", "t0-b", "t2-a", "t2-b"], await ReadCommittedThroughEndAsync(cluster, producer));

        // Each transaction's first batch: under V2 a new epoch each time, from sequence 0; under V1 one epoch, sequences running on.
        List<RecordBatchHeader> firsts = DataBatches(cluster).Where((_, i) => i % 2 == 0).ToList();
        short epoch = firsts[0].ProducerEpoch;
        for (int t = 1; t < firsts.Count; t++)
        {
            Assert.Equal(bumpsEveryEnd ? epoch + t : epoch, firsts[t].ProducerEpoch);
            Assert.Equal(bumpsEveryEnd ? 0 : 2 * t, firsts[t].BaseSequence);
        }
        int coordinator = cluster.CoordinatorOf("v2");
        Assert.Equal(1, cluster.RequestCount(coordinator, ApiKey.InitProducerId));
    }

    [Fact]
    public async Task AnExpiredTransactionalId_RequiresAbort_ThenTheProducerStartsOverUnderAFreshProducerId()
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, Seed = 11, TransactionalIdExpiration = TimeSpan.FromMilliseconds(300) });
        await cluster.CreateTopicAsync(Topic, 1);
        await using var producer = new KafkaProducer<string, string>(Options(cluster, "expiring"));
        await producer.InitTransactionsAsync();
        producer.BeginTransaction();
        await producer.ProduceAsync(Topic, null, "before");
        await producer.CommitTransactionAsync();
        await using var admin = new Admin.KafkaAdminClient(new KafkaClientOptions { BootstrapServers = cluster.BootstrapServers });
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await admin.DescribeTransactionsAsync(["expiring"]);
                return false;
            }
            catch (KafkaErrorException e) when (e.ErrorCode == ErrorCode.TransactionalIdNotFound)
            {
                return true;
            }
        }, "the coordinator to forget the unused id");

        producer.BeginTransaction();
        await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync(Topic, null, "refused"));
        var commit = await Assert.ThrowsAsync<KafkaTransactionException>(() => producer.CommitTransactionAsync());
        Assert.True(commit.RequiresAbort, commit.Message);
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, commit.ErrorCode);
        await producer.AbortTransactionAsync();

        producer.BeginTransaction();
        await producer.ProduceAsync(Topic, null, "after");
        await producer.CommitTransactionAsync();
        Assert.Equal(["before", "after"], await ReadCommittedThroughEndAsync(cluster, producer));
    }

    [Fact]
    public async Task ClosingWithATransactionOpen_AbortsIt()
    {
        await using SimulatedCluster cluster = await StartAsync();
        await using (var producer = new KafkaProducer<string, string>(Options(cluster, "closing")))
        {
            await producer.InitTransactionsAsync();
            producer.BeginTransaction();
            await producer.ProduceAsync(Topic, null, "never-committed");
        }
        await Eventually.TrueAsync(() => Markers(cluster).SequenceEqual([ControlRecordType.Abort]), () => $"one abort marker; markers: {string.Join(", ", Markers(cluster))}");
    }

    [Fact]
    public async Task AnAbandonedTransaction_IsAbortedAtItsTimeout_AndItsProducerFenced()
    {
        await using SimulatedCluster cluster = await StartAsync();
        ProducerOptions options = Options(cluster, "abandoned");
        options.TransactionTimeout = TimeSpan.FromSeconds(1);
        await using var producer = new KafkaProducer<string, string>(options);
        await producer.InitTransactionsAsync();
        producer.BeginTransaction();
        await producer.ProduceAsync(Topic, null, "abandoned");
        await Eventually.TrueAsync(() => Markers(cluster).SequenceEqual([ControlRecordType.Abort]), "the coordinator aborts the transaction at its timeout");

        var commit = await Assert.ThrowsAsync<KafkaTransactionException>(() => producer.CommitTransactionAsync());
        Assert.True(commit.IsFatal, commit.Message);
    }

    private static async Task<SimulatedCluster> StartAsync()
    {
        SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, Seed = 11 });
        await cluster.CreateTopicAsync(Topic, 1);
        return cluster;
    }

    private static ProducerOptions Options(SimulatedCluster cluster, string transactionalId) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        TransactionalId = transactionalId,
        TransactionTimeout = TimeSpan.FromSeconds(30),
        Linger = TimeSpan.FromMilliseconds(2),
        RetryBackoff = TimeSpan.FromMilliseconds(20),
        RetryBackoffMax = TimeSpan.FromMilliseconds(200),
        DeliveryTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Commits a last record, then reads read_committed up to it: everything before it is what a reader sees.</summary>
    private static async Task<List<string>> ReadCommittedThroughEndAsync(SimulatedCluster cluster, KafkaProducer<string, string> producer)
    {
        producer.BeginTransaction();
        await producer.ProduceAsync(Topic, null, "end");
        await producer.CommitTransactionAsync();
        await using var consumer = new KafkaConsumer<string, string>(new ConsumerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchMaxWait = TimeSpan.FromMilliseconds(50),
        });
        consumer.Assign([new TopicPartitionOffset(Topic, 0, TopicPartitionOffset.Beginning)]);
        var read = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (ConsumeResult<string, string> result in consumer.ConsumeAsync(timeout.Token))
        {
            if (result.Value == "end") return read;
            read.Add(result.Value!);
        }
        return read;
    }

    private static List<RecordBatchHeader> DataBatches(SimulatedCluster cluster) => Batches(cluster).Where(b => !b.Header.IsControl).Select(b => b.Header).ToList();

    private static List<ControlRecordType> Markers(SimulatedCluster cluster) => Batches(cluster).Where(b => b.Header.IsControl).Select(b => b.ControlType).ToList();

    private static List<(RecordBatchHeader Header, ControlRecordType ControlType)> Batches(SimulatedCluster cluster)
    {
        var batches = new List<(RecordBatchHeader, ControlRecordType)>();
        using var reader = new RecordBatchReader();
        foreach (ReadOnlyMemory<byte> stored in cluster.ReadBatches(Topic, 0))
            foreach (RecordBatch batch in reader.Read(stored))
                batches.Add((batch.Header, batch.Header.IsControl ? batch.ControlType : default));
        return batches;
    }
}
