using KafkaNative.Consumer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaNative.Chaos;

/// <summary>
/// One member of the exactly-once pipeline, written as an application would: a read_committed consumer in
/// the group and a transactional producer. Each run of a partition's input records is copied to the output
/// topic in one transaction that also carries the consumed offsets. A transaction that cannot commit is
/// aborted and its input read again; every <c>abortEvery</c>-th is aborted on purpose, so aborted output
/// is always in the log for the audit to find invisible.
/// </summary>
public sealed class TransformWorker(string name, string bootstrapServers, string transactionalId, int abortEvery)
{
    private long _committed;
    private long _aborted;

    /// <summary>The member's name (its client id).</summary>
    public string Name => name;

    /// <summary>Transactions committed.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>Transactions aborted, on purpose or after an abortable error.</summary>
    public long Aborted => Interlocked.Read(ref _aborted);

    /// <summary>Copies input to output until <paramref name="ct"/> is cancelled; a fatal transaction error ends it with that error.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using ChaosLogFile? log = ChaosLogFile.For(name);
        ILoggerFactory logging = (ILoggerFactory?)log ?? NullLoggerFactory.Instance;
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = bootstrapServers,
            ClientId = name,
            TransactionalId = transactionalId,
            TransactionTimeout = TimeSpan.FromSeconds(30),
            Linger = ChaosSettings.Linger,
            RequestTimeout = ChaosSettings.RequestTimeout,
            DeliveryTimeout = ChaosSettings.DeliveryTimeout,
            LoggerFactory = logging,
        });
        await using var consumer = new KafkaConsumer<string, string>(new ConsumerOptions
        {
            BootstrapServers = bootstrapServers,
            ClientId = name,
            GroupId = ExactlyOncePipeline.Group,
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
            SessionTimeout = TimeSpan.FromSeconds(6),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            RebalanceTimeout = TimeSpan.FromSeconds(20),
            RequestTimeout = ChaosSettings.RequestTimeout,
            LoggerFactory = logging,
        });
        await producer.InitTransactionsAsync(ct);
        consumer.Subscribe([ExactlyOncePipeline.Input]);
        long transactions = 0;
        await foreach (ConsumeBatch<string, string> run in consumer.ConsumeBatchesAsync(ct))
        {
            var rewind = new TopicPartitionOffset(run.TopicPartition, run[0].Offset);
            var next = new TopicPartitionOffset(run.TopicPartition, run.LastOffset + 1);
            producer.BeginTransaction();
            try
            {
                for (int i = 0; i < run.Count; i++) await producer.EnqueueAsync(ExactlyOncePipeline.Output, run[i].Key, run[i].Value, cancellationToken: ct);
                await producer.SendOffsetsToTransactionAsync([next], consumer.GroupMetadata!, ct);
                if (abortEvery > 0 && ++transactions % abortEvery == 0)
                {
                    await AbortAsync(producer, consumer, rewind, ct);
                    continue;
                }
                await producer.CommitTransactionAsync(ct);
                Interlocked.Increment(ref _committed);
            }
            catch (KafkaTransactionException e) when (e.RequiresAbort)
            {
                log?.CreateLogger(name).LogInformation(e, "Aborting a transaction that cannot commit");
                await AbortAsync(producer, consumer, rewind, ct);
            }
        }
    }

    private async Task AbortAsync(KafkaProducer<string, string> producer, KafkaConsumer<string, string> consumer, TopicPartitionOffset rewind, CancellationToken ct)
    {
        await producer.AbortTransactionAsync(ct);
        Interlocked.Increment(ref _aborted);
        try
        {
            // Read the run again.
            consumer.Seek(rewind);
        }
        catch (InvalidOperationException)
        {
            // The partition was revoked meanwhile: its next owner starts from the committed offset.
        }
    }
}
