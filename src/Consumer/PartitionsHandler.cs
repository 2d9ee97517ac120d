namespace KafkaNative;

/// <summary>Called when the group assigns, revokes or loses partitions.</summary>
/// <param name="partitions">The partitions concerned.</param>
/// <param name="cancellationToken">Cancelled when the consumer is disposed.</param>
public delegate ValueTask PartitionsHandler(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);
