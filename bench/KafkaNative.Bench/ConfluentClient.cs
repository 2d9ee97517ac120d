using Confluent.Kafka;
using Rd = Confluent.Kafka;

namespace KafkaNative.Bench;

/// <summary>Confluent.Kafka (librdkafka) running one <c>compare</c> workload, tuned as our client is.</summary>
internal static class ConfluentClient
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(10);

    public static InLoopFigures Run(ClientSettings settings) =>
        settings.Workload == "produce" ? Produce(settings) : Consume(settings);

    private static InLoopFigures Produce(ClientSettings settings)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = settings.Bootstrap,
            LingerMs = 5,
            BatchSize = 1_000_000,
            Acks = Rd.Acks.All,
            EnableIdempotence = true,
            QueueBufferingMaxKbytes = 65536,
            CompressionType = Enum.Parse<Rd.CompressionType>(settings.Compression, ignoreCase: true),
            // Delivery reports are served by Poll on this thread (when the queue is full) and by Flush,
            // as kcat and librdkafka's own examples do, rather than by Confluent's background poll thread.
            EnableBackgroundPoll = false,
            // The handler reads only the error: copying keys and values back into each report would be waste.
            DeliveryReportFields = "none",
            TransactionalId = settings.TransactionalId,
        };
        using IProducer<Null, byte[]> producer = new ProducerBuilder<Null, byte[]>(config).Build();
        // Registering the transactional id is set-up, as connecting is: outside the loop's timing.
        if (settings.Transactional) producer.InitTransactions(Deadline);

        long failed = 0;
        // Records of an aborted transaction still queued are purged, and reported so: not failures.
        Action<DeliveryReport<Null, byte[]>> onDelivery = report =>
        {
            if (report.Error.IsError && report.Error.Code is not (ErrorCode.Local_PurgeQueue or ErrorCode.Local_PurgeInflight)) failed++;
        };
        // librdkafka copies the payload when a message is produced (RD_KAFKA_MSG_F_COPY), so one buffer
        // rewritten for every message is safe, and spares this client a fresh array per message.
        var message = new Rd.Message<Null, byte[]> { Value = new byte[settings.Size] };

        if (settings.Warmup > 0) SendAll(producer, settings, settings.WarmupTopic, settings.Warmup, message, onDelivery);
        if (failed > 0) throw new InvalidOperationException($"{failed} warm-up records failed.");

        var meter = new LoopMeter();
        meter.Start();
        int transactions = SendAll(producer, settings, settings.Topic, settings.Messages, message, onDelivery);
        return meter.Stop(settings, settings.Messages - failed, failed, reportAllocations: false) with { Transactions = transactions };
    }

    /// <summary>
    /// Sends records 0 to <paramref name="count"/> - 1 and waits for them: one flush at the end, or in transactions
    /// of <see cref="ClientSettings.TransactionSize"/>, each committed (which flushes) or aborted. Returns the transactions run.
    /// </summary>
    private static int SendAll(
        IProducer<Null, byte[]> producer, ClientSettings settings, string topic, int count, Rd.Message<Null, byte[]> message, Action<DeliveryReport<Null, byte[]>> onDelivery)
    {
        if (!settings.Transactional)
        {
            for (int i = 0; i < count; i++) Send(producer, topic, message, i, onDelivery);
            FlushAll(producer);
            return 0;
        }
        int transaction = 0;
        for (int start = 0; start < count; start += settings.TransactionSize, transaction++)
        {
            producer.BeginTransaction();
            int end = Math.Min(count, start + settings.TransactionSize);
            for (int i = start; i < end; i++) Send(producer, topic, message, i, onDelivery);
            if (settings.Aborts(transaction)) producer.AbortTransaction(Deadline);
            else producer.CommitTransaction(Deadline);
        }
        return transaction;
    }

    private static void Send(IProducer<Null, byte[]> producer, string topic, Rd.Message<Null, byte[]> message, int index, Action<DeliveryReport<Null, byte[]>> onDelivery)
    {
        BenchValues.Fill(message.Value, index);
        while (true)
        {
            try
            {
                producer.Produce(topic, message, onDelivery);
                return;
            }
            catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Serving delivery reports frees queue space.
                producer.Poll(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private static void FlushAll(IProducer<Null, byte[]> producer)
    {
        if (producer.Flush(Deadline) > 0) throw new InvalidOperationException("Confluent's producer did not flush within the deadline.");
    }

    private static InLoopFigures Consume(ClientSettings settings)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = settings.Bootstrap,
            // Required by the builder; the consumer never joins it (partitions are assigned, nothing committed).
            GroupId = $"compare-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        };
        using IConsumer<Ignore, byte[]> consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, settings.Partitions).Select(p => new Rd.TopicPartitionOffset(settings.Topic, p, Offset.Beginning)));

        DateTime deadline = DateTime.UtcNow + Deadline;
        var meter = new LoopMeter();
        long count = 0, wrongSize = 0;
        while (count < settings.Messages)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Confluent's consumer read {count} of {settings.Messages} records before the deadline.");
            Rd.ConsumeResult<Ignore, byte[]>? result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null) continue;
            if (count == 0) meter.Start();
            if (result.Message.Value?.Length != settings.Size) wrongSize++;
            count++;
        }
        InLoopFigures figures = meter.Stop(settings, count, wrongSize, reportAllocations: false);
        consumer.Close();
        return figures;
    }
}
