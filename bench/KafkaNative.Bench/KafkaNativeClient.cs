using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Bench;

/// <summary>Our producer and consumer running one <c>compare</c> workload (also how the orchestrator fills a topic for consume steps).</summary>
internal static class KafkaNativeClient
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);

    public static Task<InLoopFigures> RunAsync(ClientSettings settings) =>
        settings.Workload == "produce" ? ProduceAsync(settings) : ConsumeAsync(settings);

    public static ProducerOptions ProducerOptions(ClientSettings settings) => new()
    {
        BootstrapServers = settings.Bootstrap,
        Acks = Acks.All,
        EnableIdempotence = true,
        Compression = Enum.Parse<CompressionType>(settings.Compression, ignoreCase: true),
        Linger = TimeSpan.FromMilliseconds(5),
        BatchSize = 1_000_000,
        BufferMemory = 64L * 1024 * 1024,
        TransactionalId = settings.TransactionalId,
    };

    public static async Task<InLoopFigures> ProduceAsync(ClientSettings settings)
    {
        // No key: byte[] keys left null. Values are indexes the serializer expands into the bench value.
        await using var producer = new KafkaProducer<byte[], int>(ProducerOptions(settings), valueSerializer: new IndexedValueSerializer(settings.Size));
        using var deadline = new CancellationTokenSource(Deadline);
        // Registering the transactional id is set-up, as connecting is: outside the loop's timing.
        if (settings.Transactional) await producer.InitTransactionsAsync(deadline.Token);

        long failed = 0;
        Action<DeliveryReport> onDelivery = report => { if (!report.Succeeded) Interlocked.Increment(ref failed); };
        // Warm-up (connections, metadata, JIT, pools) on a topic of its own, outside the measurement.
        if (settings.Warmup > 0) await SendAsync(producer, settings, settings.WarmupTopic, settings.Warmup, onDelivery, deadline.Token);
        long warmupFailed = Interlocked.Exchange(ref failed, 0);
        if (warmupFailed > 0) throw new InvalidOperationException($"{warmupFailed} warm-up records failed.");

        var meter = new LoopMeter();
        meter.Start();
        int transactions = await SendAsync(producer, settings, settings.Topic, settings.Messages, onDelivery, deadline.Token);
        long failures = Interlocked.Read(ref failed);
        return meter.Stop(settings, settings.Messages - failures, failures, reportAllocations: true) with { Transactions = transactions };
    }

    /// <summary>
    /// Sends records 0 to <paramref name="count"/> - 1 and waits for them: fire-and-forget then one flush, or in
    /// transactions of <see cref="ClientSettings.TransactionSize"/>, each committed or aborted (its wait). Returns the transactions run.
    /// </summary>
    private static async Task<int> SendAsync(
        KafkaProducer<byte[], int> producer, ClientSettings settings, string topic, int count, Action<DeliveryReport> onDelivery, CancellationToken cancellationToken)
    {
        if (!settings.Transactional)
        {
            for (int i = 0; i < count; i++) await producer.EnqueueAsync(topic, null, i, onDelivery: onDelivery, cancellationToken: cancellationToken);
            await producer.FlushAsync(cancellationToken);
            return 0;
        }
        int transaction = 0;
        for (int start = 0; start < count; start += settings.TransactionSize, transaction++)
        {
            producer.BeginTransaction();
            int end = Math.Min(count, start + settings.TransactionSize);
            for (int i = start; i < end; i++) await producer.EnqueueAsync(topic, null, i, onDelivery: onDelivery, cancellationToken: cancellationToken);
            if (settings.Aborts(transaction)) await producer.AbortTransactionAsync(cancellationToken);
            else await producer.CommitTransactionAsync(cancellationToken);
        }
        return transaction;
    }

    private static async Task<InLoopFigures> ConsumeAsync(ClientSettings settings)
    {
        var options = new ConsumerOptions
        {
            BootstrapServers = settings.Bootstrap,
            GroupId = null,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        // Values copied to byte arrays, as Confluent's byte[] deserializer does, so both hand the application the same thing.
        await using var consumer = new KafkaConsumer<object?, byte[]?>(options, Deserializers.Ignore, Deserializers.ByteArray);
        consumer.Assign(Enumerable.Range(0, settings.Partitions).Select(p => new TopicPartitionOffset(settings.Topic, p, TopicPartitionOffset.Beginning)));

        using var deadline = new CancellationTokenSource(Deadline);
        var meter = new LoopMeter();
        long count = 0, wrongSize = 0;
        await foreach (ConsumeResult<object?, byte[]?> record in consumer.ConsumeAsync(deadline.Token))
        {
            if (count == 0) meter.Start();
            if (record.Value?.Length != settings.Size) wrongSize++;
            if (++count >= settings.Messages) break;
        }
        return meter.Stop(settings, count, wrongSize, reportAllocations: true);
    }
}
