namespace KafkaNative;

/// <summary>
/// What <see cref="KafkaProducer{TKey, TValue}"/> offers an application, as an interface to mock in tests
/// or to decorate. See the class for the behaviour of each member.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IKafkaProducer<TKey, TValue> : IAsyncDisposable
{
    /// <summary>Bytes of records buffered right now.</summary>
    long BufferedBytes { get; }

    /// <summary>Records handed over and not yet acknowledged or failed.</summary>
    long PendingRecords { get; }

    /// <summary>Produces a record and completes once it is acknowledged or has failed.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="key">The key, or null.</param>
    /// <param name="value">The value, or null.</param>
    /// <param name="headers">Record headers, or null.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    ValueTask<DeliveryResult> ProduceAsync(string topic, TKey? key, TValue? value, RecordHeader[]? headers = null, CancellationToken cancellationToken = default);

    /// <summary>Produces a record to an explicit partition (-1: the partitioner chooses).</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition, or -1.</param>
    /// <param name="key">The key, or null.</param>
    /// <param name="value">The value, or null.</param>
    /// <param name="headers">Record headers, or null.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    ValueTask<DeliveryResult> ProduceAsync(string topic, int partition, TKey? key, TValue? value, RecordHeader[]? headers = null, CancellationToken cancellationToken = default);

    /// <summary>Produces a message with its headers and timestamp.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The key, value, headers and timestamp.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    ValueTask<DeliveryResult> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default);

    /// <summary>Produces a message to an explicit partition.</summary>
    /// <param name="partition">The topic and partition (-1: the partitioner chooses).</param>
    /// <param name="message">The key, value, headers and timestamp.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    ValueTask<DeliveryResult> ProduceAsync(TopicPartition partition, Message<TKey, TValue> message, CancellationToken cancellationToken = default);

    /// <summary>Fire and forget: completes once the record is buffered; the outcome goes to <paramref name="onDelivery"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="key">The key, or null.</param>
    /// <param name="value">The value, or null.</param>
    /// <param name="headers">Record headers, or null.</param>
    /// <param name="onDelivery">Told the outcome, or null.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    ValueTask EnqueueAsync(string topic, TKey? key, TValue? value, RecordHeader[]? headers = null, Action<DeliveryReport>? onDelivery = null, CancellationToken cancellationToken = default);

    /// <summary>Fire and forget a message with its headers and timestamp.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The key, value, headers and timestamp.</param>
    /// <param name="onDelivery">Told the outcome, or null.</param>
    /// <param name="cancellationToken">Cancels waiting for buffer memory.</param>
    ValueTask EnqueueAsync(string topic, Message<TKey, TValue> message, Action<DeliveryReport>? onDelivery = null, CancellationToken cancellationToken = default);

    /// <summary>Sends what is buffered now and waits until every record handed over before this call is acknowledged or failed.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the records).</param>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Registers the transactional id (once, before the first transaction), fencing older instances.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task InitTransactionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Opens a transaction.</summary>
    void BeginTransaction();

    /// <summary>Adds a consumer group's offsets to the open transaction.</summary>
    /// <param name="offsets">The next offsets to read.</param>
    /// <param name="groupMetadata">The consumer's group, generation and member.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task SendOffsetsToTransactionAsync(IEnumerable<TopicPartitionOffset> offsets, ConsumerGroupMetadata groupMetadata, CancellationToken cancellationToken = default);

    /// <summary>Flushes and commits the open transaction.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task CommitTransactionAsync(CancellationToken cancellationToken = default);

    /// <summary>Aborts the open transaction.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    Task AbortTransactionAsync(CancellationToken cancellationToken = default);
}
