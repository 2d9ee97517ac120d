namespace KafkaNative.Admin;

/// <summary>Filters for <see cref="KafkaAdminClient.ListTransactionsAsync"/>; a transaction is listed only if it passes every filter set.</summary>
public sealed class ListTransactionsOptions
{
    /// <summary>Only transactions in one of these states; empty (the default) for any state.</summary>
    public IReadOnlyCollection<TransactionState> States { get; init; } = [];

    /// <summary>Only transactions of one of these producer ids; empty (the default) for any.</summary>
    public IReadOnlyCollection<long> ProducerIds { get; init; } = [];

    /// <summary>
    /// Only transactions that have been running for longer than this; null (the default) for any. Needs
    /// ListTransactions v1 (KIP-994, Kafka 3.8 and later).
    /// </summary>
    public TimeSpan? RunningLongerThan { get; init; }
}
