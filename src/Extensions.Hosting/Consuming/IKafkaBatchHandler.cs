namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// Handles a run of consecutive records of one partition for a hosted consumer
/// (<c>AddKafkaBatchConsumerHandler</c>), as <see cref="KafkaConsumer{TKey, TValue}.ConsumeBatchesAsync"/> reads them.
/// Resolved from a new service scope per batch. Throwing fails the whole batch: it is tried again after a
/// backoff and, after the last retry, each of its records is sent to the dead-letter topic.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IKafkaBatchHandler<TKey, TValue>
{
    /// <summary>Handles <paramref name="batch"/>; runs inside the batch's <c>process</c> activity, linked to each record's producer.</summary>
    /// <param name="batch">The records, in offset order; valid until the returned task completes.</param>
    /// <param name="cancellationToken">Cancelled when the host stops and the shutdown timeout has run out.</param>
    Task HandleAsync(ConsumeBatch<TKey, TValue> batch, CancellationToken cancellationToken);
}
