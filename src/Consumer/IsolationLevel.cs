namespace KafkaNative;

/// <summary>
/// Which records of transactional producers a consumer sees (Kafka's <c>isolation.level</c>, set with
/// <see cref="ConsumerOptions.IsolationLevel"/>). The default is <see cref="ReadUncommitted"/>, as in the
/// Java client; librdkafka (Confluent.Kafka, kcat) defaults to read_committed instead, so set
/// <see cref="ReadCommitted"/> to read transactional topics as those clients do by default.
/// </summary>
/// <remarks>
/// Either way, transaction markers (the control records a commit or an abort writes to each partition)
/// are never handed out, yet they count in the position: once the messages before a marker are consumed,
/// <see cref="KafkaConsumer{TKey, TValue}.Position"/>, the next commit and the lag are past it, so a
/// drained partition whose log ends with a marker has lag 0.
/// </remarks>
public enum IsolationLevel
{
    /// <summary>
    /// read_uncommitted (the default): every record up to the high watermark, including those of
    /// transactions still open and of aborted ones, as soon as they are replicated.
    /// </summary>
    ReadUncommitted = 0,

    /// <summary>
    /// read_committed: only records of committed transactions and non-transactional records. Reads stop
    /// at the last stable offset (LSO), the first offset of the oldest transaction still open on the
    /// partition (or the high watermark when none is): while a transaction is open, nothing at or after its
    /// first record is returned, not even non-transactional records written after it, until it commits
    /// (then its records come) or aborts (then they are skipped, and what follows its marker comes).
    /// Records of aborted transactions are dropped using the aborted-transaction list each fetch carries.
    /// Lag counts to the LSO, as the Java client's does; a reset to End starts at the LSO.
    /// </summary>
    ReadCommitted = 1,
}
