using KafkaNative.Client;
using KafkaNative.Protocol.Compression;

namespace KafkaNative;

/// <summary>Settings of a <see cref="KafkaProducer{TKey, TValue}"/>, on top of the connection settings it inherits.</summary>
public sealed class ProducerOptions : KafkaClientOptions
{
    /// <summary>Acknowledgement level; all in-sync replicas by default.</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>
    /// Idempotence (on by default, as in the Java client since 3.0): the broker drops a batch it has
    /// already written, so retries never duplicate, and order holds with several requests in flight.
    /// Requires <see cref="Acks.All"/>.
    /// </summary>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary>
    /// Makes the producer transactional: records are produced inside transactions
    /// (<see cref="KafkaProducer{TKey, TValue}.InitTransactionsAsync"/> once, then
    /// <see cref="KafkaProducer{TKey, TValue}.BeginTransaction"/> and commit or abort), and read_committed
    /// consumers see them only once their transaction commits. The id names the producer across restarts:
    /// a new instance with the same id fences the old one and aborts its open transaction. Needs idempotence.
    /// Null (the default) for a producer without transactions.
    /// </summary>
    public string? TransactionalId { get; set; }

    /// <summary>
    /// How long the transaction coordinator lets a transaction stay open before aborting it, and how long a
    /// transaction operation (init, commit, abort, offsets) retries passing errors. Kafka's default is a
    /// minute; brokers refuse more than their <c>transaction.max.timeout.ms</c> (15 minutes by default).
    /// </summary>
    public TimeSpan TransactionTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a batch may wait for more records before it is sent.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Largest record batch, in bytes (before compression).</summary>
    public int BatchSize { get; set; } = 1_000_000;

    /// <summary>Codec for record batches.</summary>
    public CompressionType Compression { get; set; } = CompressionType.None;

    /// <summary>Codec level; null takes the codec's default.</summary>
    public int? CompressionLevel { get; set; }

    /// <summary>
    /// The total budget for a record, from the call that hands it over until it is acknowledged:
    /// batching, every retry and every backoff together. Retries stop at it, and a record whose
    /// caller was told it failed is never sent again.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Wait before the first retry of a failed batch; doubles up to <see cref="RetryBackoffMax"/>, with jitter.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between retries.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bytes of records the producer may hold before callers wait (backpressure).</summary>
    public long BufferMemory { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest record (key, value and headers), in bytes; a record must also fit in <see cref="BufferMemory"/>.</summary>
    public int MaxRecordSize { get; set; } = 1024 * 1024;

    /// <summary>Largest Produce request, in bytes.</summary>
    public int MaxRequestSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>How many consecutive failed requests open a broker's circuit breaker.</summary>
    public int CircuitBreakerFailures { get; set; } = 5;

    /// <summary>How long an open circuit breaker keeps a broker out before it tries again.</summary>
    public TimeSpan CircuitBreakerBreak { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How records without an explicit partition find one; murmur2 for keys, sticky otherwise.</summary>
    public IPartitioner Partitioner { get; set; } = new DefaultPartitioner();

    /// <summary>How long <see cref="KafkaProducer{TKey, TValue}.DisposeAsync"/> waits for buffered records before failing them.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Acks)) throw new ArgumentException($"Acks must be None, Leader or All, not {(short)Acks}.", nameof(Acks));
        if (EnableIdempotence && Acks != Acks.All)
            throw new ArgumentException("Idempotence needs Acks.All; turn EnableIdempotence off to use fewer acknowledgements.", nameof(EnableIdempotence));
        if (TransactionalId is not null)
        {
            if (TransactionalId.Length == 0) throw new ArgumentException("TransactionalId cannot be empty; leave it null for a producer without transactions.", nameof(TransactionalId));
            if (!EnableIdempotence) throw new ArgumentException("A transactional producer is idempotent; EnableIdempotence cannot be off with a TransactionalId.", nameof(EnableIdempotence));
        }
        if (TransactionTimeout <= TimeSpan.Zero || TransactionTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentException("TransactionTimeout must be positive and under 24 days.", nameof(TransactionTimeout));
        if (Linger < TimeSpan.Zero) throw new ArgumentException("Linger cannot be negative.", nameof(Linger));
        if (BatchSize < 1024) throw new ArgumentException("BatchSize must be at least 1024 bytes.", nameof(BatchSize));
        if (!Enum.IsDefined(Compression)) throw new ArgumentException($"Unknown compression {(int)Compression}.", nameof(Compression));
        if (DeliveryTimeout <= TimeSpan.Zero) throw new ArgumentException("DeliveryTimeout must be positive.", nameof(DeliveryTimeout));
        if (RetryBackoff <= TimeSpan.Zero || RetryBackoffMax < RetryBackoff)
            throw new ArgumentException("RetryBackoff must be positive and at most RetryBackoffMax.", nameof(RetryBackoff));
        if (BufferMemory < BatchSize) throw new ArgumentException("BufferMemory must hold at least one batch (BatchSize).", nameof(BufferMemory));
        if (MaxRecordSize < 1) throw new ArgumentException("MaxRecordSize must be positive.", nameof(MaxRecordSize));
        if (MaxRequestSize < BatchSize) throw new ArgumentException("MaxRequestSize must be at least BatchSize.", nameof(MaxRequestSize));
        if (CircuitBreakerFailures < 1) throw new ArgumentException("CircuitBreakerFailures must be at least 1.", nameof(CircuitBreakerFailures));
        if (CircuitBreakerBreak <= TimeSpan.Zero) throw new ArgumentException("CircuitBreakerBreak must be positive.", nameof(CircuitBreakerBreak));
        if (Partitioner is null) throw new ArgumentException("Partitioner is required.", nameof(Partitioner));
        if (CloseTimeout < TimeSpan.Zero) throw new ArgumentException("CloseTimeout cannot be negative.", nameof(CloseTimeout));
    }
}
