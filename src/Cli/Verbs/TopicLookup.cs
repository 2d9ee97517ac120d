using KafkaNative.Admin;

namespace KafkaNative.Cli.Verbs;

/// <summary>Looks up a topic's partitions for the verbs that work partition by partition.</summary>
internal static class TopicLookup
{
    /// <summary>The topic's partitions in order; a topic that does not exist is the broker's error (UNKNOWN_TOPIC_OR_PARTITION).</summary>
    public static async Task<IReadOnlyList<TopicPartition>> PartitionsAsync(KafkaAdminClient admin, string topic, CancellationToken ct)
    {
        TopicMetadata described = (await admin.DescribeTopicsAsync([topic], ct)).Single();
        KafkaErrorException.ThrowIfError((short)described.Error, $"topic {topic}");
        return described.Partitions.OrderBy(p => p.Partition).Select(p => new TopicPartition(topic, p.Partition)).ToList();
    }
}
