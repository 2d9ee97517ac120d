namespace KafkaNative;

/// <summary>
/// The Java client's default: murmur2 of the key for keyed records; for unkeyed records, stick to
/// one partition until its batch is sent, then pick another at random (KIP-480), which fills
/// batches faster than spraying records round robin.
/// </summary>
public sealed class DefaultPartitioner : IPartitioner
{
    private readonly Dictionary<string, (int Partition, int Count)> _sticky = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount)
    {
        if (!keyIsNull) return Murmur2.Partition(key, partitionCount);
        if (_sticky.TryGetValue(topic, out var sticky) && sticky.Count == partitionCount) return sticky.Partition;
        int partition = Random.Shared.Next(partitionCount);
        _sticky[topic] = (partition, partitionCount);
        return partition;
    }

    /// <inheritdoc />
    public void OnNewBatch(string topic, int previousPartition)
    {
        if (!_sticky.TryGetValue(topic, out var sticky) || sticky.Partition != previousPartition) return;
        // Any partition but the one just filled, when there is a choice.
        int next = sticky.Count <= 1 ? 0 : Random.Shared.Next(sticky.Count - 1);
        if (next >= previousPartition && sticky.Count > 1) next++;
        _sticky[topic] = (next, sticky.Count);
    }
}

/// <summary>Every record, keyed or not, to the next partition in turn.</summary>
public sealed class RoundRobinPartitioner : IPartitioner
{
    private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount)
    {
        _next.TryGetValue(topic, out int next);
        _next[topic] = next + 1;
        return (int)((uint)next % (uint)partitionCount);
    }
}
