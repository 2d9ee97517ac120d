using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// A hosted consumer that runs an <see cref="IKafkaMessageHandler{TKey, TValue}"/> per record, records of
/// one key in order (keyless records in their partition's order), up to <see cref="KafkaHandlerOptions.MaxConcurrency"/> at once.
/// </summary>
internal sealed class MessageHandlerService<TKey, TValue, THandler>(string name, IServiceProvider services)
    : HostedKafkaConsumer<TKey, TValue>(name, services)
    where THandler : class, IKafkaMessageHandler<TKey, TValue>
{
    private static readonly bool KeyIsString = typeof(TKey) == typeof(string);

    protected override async ValueTask DispatchAsync(ConsumeBatch<byte[]?, byte[]?> batch, CancellationToken stopping)
    {
        PartitionProgress progress = ProgressOf(batch.TopicPartition);
        for (int i = 0; i < batch.Count; i++)
        {
            ConsumeResult<byte[]?, byte[]?> record = batch[i];
            progress.Dispatched(record.Offset);
            await Scheduler.ScheduleAsync(Lane.ForRecord(batch.TopicPartition, record.Key), () => ProcessAsync(record, progress), stopping).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(ConsumeResult<byte[]?, byte[]?> raw, PartitionProgress progress)
    {
        long started = Time.GetTimestamp();
        Activity? activity = ProcessTelemetry.StartRecord(raw, Group, KeyIsString);
        Exception? failure = null;
        try
        {
            int retries = 0;
            try
            {
                ConsumeResult<TKey, TValue> message = Deserialize(raw);
                (failure, retries) = await RunWithRetriesAsync(token => HandleAsync(message, token), activity).ConfigureAwait(false);
            }
            catch (Exception error) when (!HardStop.IsCancellationRequested)
            {
                // Only deserialization throws here; retrying cannot help, so the record goes straight to the dead-letter topic.
                failure = error;
            }
            if (failure is not null) await DeadLetterAsync(raw, failure, retries).ConfigureAwait(false);
            progress.Completed(raw.Offset);
        }
        catch (Exception) when (HardStop.IsCancellationRequested)
        {
            // Cut short by the shutdown deadline: the record stays uncommitted and is handled again after a restart.
            failure = null;
        }
        finally
        {
            ProcessTelemetry.Stop(activity, started, Time, raw.Topic, raw.Partition, Group, failure);
        }
    }

    private Task HandleAsync(ConsumeResult<TKey, TValue> message, CancellationToken cancellationToken) =>
        InScopeAsync<THandler>(handler => handler.HandleAsync(message, cancellationToken));
}
