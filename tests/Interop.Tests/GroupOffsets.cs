using KafkaNative.Sim;
using Rd = Confluent.Kafka;

namespace KafkaNative.Interop.Tests;

/// <summary>A group's committed offsets, as a neutral observer (librdkafka's admin client) lists them.</summary>
internal static class GroupOffsets
{
    /// <summary>Waits until the group has committed up to the end of every partition: a member may then crash without anything being redelivered.</summary>
    public static Task CommittedUpToTheEndAsync(SimulatedCluster sim, Rd.IAdminClient admin, string group, string topic, int partitions) =>
        Eventually.TrueAsync(async () =>
        {
            var all = Enumerable.Range(0, partitions).Select(p => new Rd.TopicPartition(topic, p)).ToList();
            var listed = await admin.ListConsumerGroupOffsetsAsync([new Rd.ConsumerGroupTopicPartitions(group, all)]);
            return listed.Single().Partitions.All(p => p.Offset.Value == sim.HighWatermark(topic, p.Partition.Value));
        }, () => $"group {group} to commit up to the end of {topic}");
}
