using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// A hosted consumer that runs an <see cref="IKafkaBatchHandler{TKey, TValue}"/> per batch (a partition's run of
/// records as <see cref="KafkaConsumer{TKey, TValue}.ConsumeBatchesAsync"/> reads them), batches of one partition
/// in order, up to <see cref="KafkaHandlerOptions.MaxConcurrency"/> partitions at once.
/// </summary>
internal sealed class BatchHandlerService<TKey, TValue, THandler>(string name, IServiceProvider services)
    : HostedKafkaConsumer<TKey, TValue>(name, services)
    where THandler : class, IKafkaBatchHandler<TKey, TValue>
{
    protected override async ValueTask DispatchAsync(ConsumeBatch<byte[]?, byte[]?> batch, CancellationToken stopping)
    {
        PartitionProgress progress = ProgressOf(batch.TopicPartition);
        // The batch is a view over the consumer's buffer, valid only until the next read: keep the records.
        ConsumeResult<byte[]?, byte[]?>[] records = batch.Messages.ToArray();
        foreach (ConsumeResult<byte[]?, byte[]?> record in records) progress.Dispatched(record.Offset);
        await Scheduler.ScheduleAsync(Lane.ForPartition(batch.TopicPartition), () => ProcessAsync(batch.TopicPartition, records, progress), stopping).ConfigureAwait(false);
    }

    private async Task ProcessAsync(TopicPartition partition, ConsumeResult<byte[]?, byte[]?>[] raw, PartitionProgress progress)
    {
        long started = Time.GetTimestamp();
        Activity? activity = ProcessTelemetry.StartBatch(raw, Group);
        Exception? failure = null;
        try
        {
            List<ConsumeResult<TKey, TValue>> messages = new(raw.Length);
            List<ConsumeResult<byte[]?, byte[]?>> handled = new(raw.Length);
            foreach (ConsumeResult<byte[]?, byte[]?> record in raw)
            {
                try
                {
                    messages.Add(Deserialize(record));
                    handled.Add(record);
                }
                catch (Exception error)
                {
                    // A record that does not deserialize leaves the batch for the dead-letter topic at once.
                    await DeadLetterAsync(record, error, 0).ConfigureAwait(false);
                }
            }
            if (messages.Count > 0)
            {
                var batch = new ConsumeBatch<TKey, TValue>(partition, [.. messages]);
                (failure, int retries) = await RunWithRetriesAsync(token => HandleAsync(batch, token), activity).ConfigureAwait(false);
                if (failure is not null)
                {
                    foreach (ConsumeResult<byte[]?, byte[]?> record in handled) await DeadLetterAsync(record, failure, retries).ConfigureAwait(false);
                }
            }
            foreach (ConsumeResult<byte[]?, byte[]?> record in raw) progress.Completed(record.Offset);
        }
        catch (Exception) when (HardStop.IsCancellationRequested)
        {
            // Cut short by the shutdown deadline: the batch stays uncommitted and is handled again after a restart.
            failure = null;
        }
        finally
        {
            ProcessTelemetry.Stop(activity, started, Time, partition.Topic, partition.Partition, Group, failure);
        }
    }

    private Task HandleAsync(ConsumeBatch<TKey, TValue> batch, CancellationToken cancellationToken) =>
        InScopeAsync<THandler>(handler => handler.HandleAsync(batch, cancellationToken));
}
