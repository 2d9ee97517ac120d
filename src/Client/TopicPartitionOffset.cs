namespace KafkaNative;

/// <summary>A partition and an offset in it.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition index.</param>
/// <param name="Offset">
/// The offset; for a commit, the offset of the next message to read (last processed + 1). When assigning or
/// seeking, <see cref="Beginning"/>, <see cref="End"/> and <see cref="Unset"/> are allowed too.
/// </param>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset)
{
    /// <summary>The earliest offset still in the log.</summary>
    public const long Beginning = -2;

    /// <summary>The end of the log: the next message produced.</summary>
    public const long End = -1;

    /// <summary>No offset: the committed offset, or the consumer's AutoOffsetReset policy without one.</summary>
    public const long Unset = -1001;

    /// <summary>Creates one from a partition and an offset.</summary>
    public TopicPartitionOffset(TopicPartition partition, long offset) : this(partition.Topic, partition.Partition, offset)
    {
    }

    /// <summary>The partition.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>Formats as <c>topic-partition@offset</c>.</summary>
    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}
