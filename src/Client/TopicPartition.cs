namespace KafkaNative;

/// <summary>A partition of a topic: the one name the producer, consumer and admin APIs share.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition index.</param>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    /// <summary>Orders by topic (ordinal), then partition.</summary>
    public int CompareTo(TopicPartition other)
    {
        int c = string.CompareOrdinal(Topic, other.Topic);
        return c != 0 ? c : Partition.CompareTo(other.Partition);
    }

    /// <summary>Formats as <c>topic-partition</c>, as Kafka tools do.</summary>
    public override string ToString() => $"{Topic}-{Partition}";
}
