namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// Handles one record for a hosted consumer (<c>AddKafkaConsumerHandler</c>). Resolved from a new
/// service scope per record, so it may take scoped services. Throwing fails the attempt: the record is
/// tried again after a backoff and, after the last retry, sent to the dead-letter topic.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IKafkaMessageHandler<TKey, TValue>
{
    /// <summary>Handles <paramref name="message"/>; runs inside the record's <c>process</c> activity.</summary>
    /// <param name="message">The record, its key and value deserialized.</param>
    /// <param name="cancellationToken">Cancelled when the host stops and the shutdown timeout has run out.</param>
    Task HandleAsync(ConsumeResult<TKey, TValue> message, CancellationToken cancellationToken);
}
