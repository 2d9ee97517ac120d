using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Sim.Groups;

/// <summary>
/// The topics a consumer group's members subscribe to, read from their JoinGroup metadata for the chosen protocol
/// (an int16 version, then ConsumerProtocolSubscription), as Kafka reads them to refuse OffsetDelete on a topic in use.
/// </summary>
internal static class Subscriptions
{
    private const short NewestKnownVersion = 3;

    public static HashSet<string> TopicsOf(ConsumerGroup group)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        if (group.ProtocolType != "consumer" || group.ProtocolName is not string protocol) return topics;
        foreach (GroupMember member in group.Members)
        {
            if (member.MetadataFor(protocol) is not { Length: >= 2 } metadata) continue;
            try
            {
                var reader = new KafkaReader(metadata.AsMemory());
                short version = reader.ReadInt16("Version");
                if (version < 0) continue;
                topics.UnionWith(ConsumerProtocolSubscription.Read(ref reader, Math.Min(version, NewestKnownVersion)).Topics);
            }
            catch (KafkaProtocolException)
            {
                // Metadata the Sim cannot read subscribes to nothing it can name, as Kafka treats it.
            }
        }
        return topics;
    }
}
