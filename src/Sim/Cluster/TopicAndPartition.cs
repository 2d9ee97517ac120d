namespace KafkaNative.Sim;

/// <summary>A partition of a topic, by name and index (named apart from the clients' public TopicPartition).</summary>
internal readonly record struct TopicAndPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}
