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
        context.Report(record.Completion, new DeliveryResult(record.Topic, record.Partition, Sentinels.NoOffset, default), error);
        context.Budget.Release(record.Size);
        context.Flushes.Exit(record.Generation);
    }

    /// <summary>Fails whatever is left in a channel when its stage stops.</summary>
    public static void FailAll(ProducerContext context, ChannelReader<PendingRecord> reader, string why)
    {
        while (reader.TryRead(out PendingRecord record)) FailOne(context, ref record, Closed(record.Topic, record.Partition, why));
    }

    /// <summary>Fails whatever is left in a channel of chunks when its stage stops.</summary>
    public static void FailAll(ProducerContext context, ChannelReader<RecordChunk> reader, string why)
    {
        while (reader.TryRead(out RecordChunk? chunk)) FailAll(context, chunk, why);
    }

    /// <summary>Fails whatever is left in a channel of chunks with <paramref name="error"/> (a stage that crashed).</summary>
    public static void FailAll(ProducerContext context, ChannelReader<RecordChunk> reader, KafkaException error)
    {
        while (reader.TryRead(out RecordChunk? chunk)) FailAll(context, chunk, error);
    }

    /// <summary>Fails the records of a chunk and pools it.</summary>
    public static void FailAll(ProducerContext context, RecordChunk chunk, string why)
    {
        for (int i = 0; i < chunk.Count; i++) FailOne(context, ref chunk.Records[i], Closed(chunk.Records[i].Topic, chunk.Records[i].Partition, why));
        chunk.Return();
    }

    /// <summary>Fails the records of a chunk with <paramref name="error"/> and pools it.</summary>
    public static void FailAll(ProducerContext context, RecordChunk chunk, KafkaException error)
    {
        for (int i = 0; i < chunk.Count; i++) FailOne(context, ref chunk.Records[i], error);
        chunk.Return();
    }

    private static void FailOne(ProducerContext context, ref PendingRecord record, KafkaException error)
    {
        // Set by the partition producer when it handed the record to a broker producer.
        record.State?.LeaveTransit(1);
        Fail(context, ref record, error);
    }

    /// <summary>Writes a chunk to the next stage, waiting while its channel is full; false when that stage has stopped.</summary>
    public static async ValueTask<bool> TrySendAsync(ChannelWriter<RecordChunk> next, RecordChunk chunk, CancellationToken cancellationToken)
    {
        if (next.TryWrite(chunk)) return true;
        while (await next.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            if (next.TryWrite(chunk)) return true;
        return false;
    }

    /// <summary>A bounded channel of chunks between two stages.</summary>
    public static Channel<RecordChunk> ChunkChannel(bool singleWriter) => Channel.CreateBounded<RecordChunk>(
        new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = singleWriter, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>What records fail with when a stage stopped on an unexpected exception.</summary>
    public static ProduceException Crashed(string topic, int partition, string stage, Exception fault) =>
        new(topic, partition, ErrorCode.UnknownServerError, $"The {stage} failed: {fault.Message}", fault);

    public static ProduceException Closed(string topic, int partition, string why) =>
        new(topic, partition, ErrorCode.UnknownServerError, why, new ObjectDisposedException("KafkaProducer"));
}
