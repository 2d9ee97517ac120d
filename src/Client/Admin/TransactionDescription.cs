namespace KafkaNative.Admin;

/// <summary>A transactional id as its coordinator describes it (DescribeTransactions).</summary>
/// <param name="TransactionalId">The transactional id.</param>
/// <param name="CoordinatorId">The broker that coordinates it and answered.</param>
/// <param name="State">Where its current (or last) transaction stands.</param>
/// <param name="ProducerId">The producer id.</param>
/// <param name="ProducerEpoch">The producer epoch; a producer holding an older one is fenced.</param>
/// <param name="TransactionTimeout">The transaction timeout the producer asked for: past it the coordinator aborts an open transaction.</param>
/// <param name="TransactionStart">When the current transaction started (Kafka keeps the last one's start once it completed), or null when the coordinator reports none, as for an id with no transaction yet.</param>
/// <param name="TopicPartitions">The partitions added to the open transaction, ordered by topic and partition; empty once it completed.</param>
public sealed record TransactionDescription(
    string TransactionalId,
    int CoordinatorId,
    TransactionState State,
    long ProducerId,
    short ProducerEpoch,
    TimeSpan TransactionTimeout,
    DateTimeOffset? TransactionStart,
    IReadOnlyList<TopicPartition> TopicPartitions);
