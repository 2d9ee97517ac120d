using KafkaNative.Consumer.Assignors;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// The "consumer" protocol's member metadata and assignments as Java and librdkafka encode them: an
/// int16 version, then ConsumerProtocolSubscription / ConsumerProtocolAssignment at that version.
/// Newer versions than this library knows are read as the newest it knows (fields are only appended).
/// </summary>
internal static class ConsumerProtocol
{
    public const string ProtocolType = "consumer";

    public const short SubscriptionVersion = 3;

    public const short AssignmentVersion = 3;

    public static byte[] EncodeSubscription(IEnumerable<string> topics, IEnumerable<TopicPartition> owned, int generation, string? rack, short version = SubscriptionVersion)
    {
        var message = new ConsumerProtocolSubscription
        {
            Topics = topics.Order(StringComparer.Ordinal).ToList(),
            UserData = null,
            OwnedPartitions = version >= 1 ? Group(owned).Select(g => new ConsumerProtocolSubscription.TopicPartition { Topic = g.Key, Partitions = g.Value }).ToList() : [],
            GenerationId = version >= 2 ? generation : -1,
            RackId = version >= 3 ? rack : null,
        };
        return Encode(message, version);
    }

    public static GroupMemberSubscription DecodeSubscription(string memberId, string? groupInstanceId, ReadOnlyMemory<byte> metadata)
    {
        var reader = new KafkaReader(metadata);
        short version = reader.ReadInt16("Version");
        if (version < 0) throw new KafkaProtocolException($"Subscription version {version} is negative", "Version", 0);
        ConsumerProtocolSubscription subscription = ConsumerProtocolSubscription.Read(ref reader, Math.Min(version, SubscriptionVersion));
        var owned = subscription.OwnedPartitions.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p))).ToList();
        return new GroupMemberSubscription(memberId, groupInstanceId, subscription.Topics, owned, subscription.GenerationId);
    }

    public static byte[] EncodeAssignment(IEnumerable<TopicPartition> partitions, short version = AssignmentVersion)
    {
        var message = new ConsumerProtocolAssignment
        {
            AssignedPartitions = Group(partitions).Select(g => new ConsumerProtocolAssignment.TopicPartition { Topic = g.Key, Partitions = g.Value }).ToList(),
            UserData = null,
        };
        return Encode(message, version);
    }

    /// <summary>Decodes an assignment; an empty buffer (a member the leader gave nothing) is no partitions.</summary>
    public static List<TopicPartition> DecodeAssignment(ReadOnlyMemory<byte> assignment)
    {
        if (assignment.IsEmpty) return [];
        var reader = new KafkaReader(assignment);
        short version = reader.ReadInt16("Version");
        if (version < 0) throw new KafkaProtocolException($"Assignment version {version} is negative", "Version", 0);
        ConsumerProtocolAssignment message = ConsumerProtocolAssignment.Read(ref reader, Math.Min(version, AssignmentVersion));
        var result = message.AssignedPartitions.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p))).Distinct().ToList();
        result.Sort();
        return result;
    }

    private static IEnumerable<KeyValuePair<string, List<int>>> Group(IEnumerable<TopicPartition> partitions) =>
        partitions.GroupBy(p => p.Topic, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, List<int>>(g.Key, g.Select(p => p.Partition).Order().ToList()));

    private static byte[] Encode(IKafkaMessage message, short version)
    {
        using var buffer = new PooledBufferWriter(256);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(version);
        message.Write(ref writer, version);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
