namespace KafkaNative;

/// <summary>
/// Picks a partition for a record. Called by the topic producer's task only, so implementations
/// need not be thread-safe unless one instance is shared by several producers.
/// </summary>
public interface IPartitioner
{
    /// <summary>The partition for a record.</summary>
    /// <param name="topic">The record's topic.</param>
    /// <param name="key">The serialized key; empty when <paramref name="keyIsNull"/>.</param>
    /// <param name="keyIsNull">True when the record has no key.</param>
    /// <param name="partitionCount">How many partitions the topic has (at least 1).</param>
    /// <returns>A partition in [0, <paramref name="partitionCount"/>).</returns>
    int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount);

    /// <summary>
    /// Told when the batch the partitioner was filling for <paramref name="topic"/> was handed off,
    /// so a sticky partitioner can move on (KIP-480). Others ignore it.
    /// </summary>
    void OnNewBatch(string topic, int previousPartition) { }
}
