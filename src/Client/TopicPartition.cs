namespace KafkaNative.Client;

/// <summary>A partition of a topic.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition index.</param>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <summary>Formats as <c>topic-partition</c>, as Kafka tools do.</summary>
    public override string ToString() => $"{Topic}-{Partition}";
}
