namespace KafkaNative.Cli.Verbs;

/// <summary>Sends every record to one partition (<c>produce -p</c>); a partition the topic lacks fails the record with a clear reason.</summary>
internal sealed class FixedPartitioner(int partition) : IPartitioner
{
    public int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount) =>
        partition < partitionCount ? partition : throw new InvalidOperationException($"partition {partition} does not exist: topic {topic} has {partitionCount} partitions");
}
