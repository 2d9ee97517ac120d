using KafkaNative.Producer;

namespace KafkaNative.Chaos;

/// <summary>
/// Our idempotent producer, acks=all, keyed, unthrottled: records go in through the fire-and-forget
/// path as fast as the buffer memory lets them, so more than 5 batches per partition wait behind the
/// ones in flight whenever a fault strikes.
/// </summary>
public sealed class OurProducerWorkload(string bootstrapServers, string topic, int records) : IProduceWorkload
{
    private KafkaProducer<string, string>? _producer;
    private long _enqueued;

    /// <inheritdoc />
    public string Client => "kafkanative";

    /// <inheritdoc />
    public DeliveryLedger Ledger { get; } = new();

    /// <inheritdoc />
    public long BacklogRecords => Volatile.Read(ref _producer)?.PendingRecords ?? 0;

    /// <inheritdoc />
    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <inheritdoc />
    public StreamGate? Gate { get; } = new();

    /// <inheritdoc />
    public string Describe() =>
        $"{Client}: enqueued {Enqueued}, gate at {Gate!.Limit}, pending {BacklogRecords}, buffered {Volatile.Read(ref _producer)?.BufferedBytes ?? 0} bytes, " +
        $"acknowledged {Ledger.Acknowledged}, failed {Ledger.Failed}";

    /// <summary>The options under test; the timeouts are the ones every chaos client shares.</summary>
    public static ProducerOptions Options(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        ClientId = "chaos-producer",
        Acks = Acks.All,
        EnableIdempotence = true,
        Linger = ChaosSettings.Linger,
        BatchSize = ChaosSettings.BatchSize,
        BufferMemory = ChaosSettings.BufferMemory,
        RequestTimeout = ChaosSettings.RequestTimeout,
        DeliveryTimeout = ChaosSettings.DeliveryTimeout,
    };

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken ct)
    {
        using ChaosLogFile? log = ChaosLogFile.For("producer");
        ProducerOptions options = Options(bootstrapServers);
        if (log is not null) options.LoggerFactory = log;
        await using var producer = new KafkaProducer<string, string>(options);
        Volatile.Write(ref _producer, producer);
        for (long i = 0; i < records; i++)
        {
            long index = i;
            ValueTask gate = Gate!.PassAsync(index);
            if (!gate.IsCompleted)
            {
                await gate;
                // Held at the gate with nothing outstanding, the stream was idle, not stalled.
                if (producer.PendingRecords == 0) Ledger.Gaps.Restart();
            }
            await producer.EnqueueAsync(topic, KeyedRecords.Key(index), KeyedRecords.Value(index), onDelivery: report =>
            {
                if (report.Succeeded) Ledger.Acknowledge(index, report.Result.Partition, report.Result.Offset);
                else Ledger.Fail(report.Error!.Message);
            }, cancellationToken: ct);
            Interlocked.Increment(ref _enqueued);
        }
        await producer.FlushAsync(ct);
    }
}
