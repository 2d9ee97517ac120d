namespace KafkaNative.Sim;

/// <summary>A partition of a topic, by name and index.</summary>
internal readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}
