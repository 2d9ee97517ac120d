using System.Threading.Channels;
using KafkaNative.Protocol;

namespace KafkaNative.Producer.Pipeline;

/// <summary>Failing records that will never reach a batch, the same way at every stage.</summary>
internal static class Pipeline
{
    /// <summary>Fails one record: its caller hears about it, and its budget and flush count are given back.</summary>
    public static void Fail(ProducerContext context, ref PendingRecord record, KafkaException error)
    {
        record.ReturnRented();
        var result = new DeliveryResult(record.Topic, record.Partition, -1, default);
        switch (record.Completion)
        {
            case DeliveryPromise promise:
                promise.Fail(error);
                break;
            case Action<DeliveryReport> callback:
                context.InvokeCallback(callback, new DeliveryReport(result, error));
                break;
        }
        context.Budget.Release(record.Size);
        context.Flushes.Exit(record.Generation);
    }

    /// <summary>Fails whatever is left in a channel when its stage stops.</summary>
    public static void FailAll(ProducerContext context, ChannelReader<PendingRecord> reader, string why)
    {
        while (reader.TryRead(out PendingRecord record))
        {
            if (IsFlushSignal(record)) continue;
            // Set by the partition producer when it handed the record to a broker producer.
            if (record.State is not null) Interlocked.Decrement(ref record.State.InTransit);
            Fail(context, ref record, Closed(record.Topic, record.Partition, why));
        }
    }

    private static readonly object FlushMarker = new();

    /// <summary>An item that asks a broker producer's aggregator to send its open batches now.</summary>
    public static PendingRecord FlushSignal => new() { Completion = FlushMarker };

    public static bool IsFlushSignal(in PendingRecord record) => ReferenceEquals(record.Completion, FlushMarker);

    public static ProduceException Closed(string topic, int partition, string why) =>
        new(topic, partition, ErrorCode.UnknownServerError, why, new ObjectDisposedException("KafkaProducer"));
}
