namespace KafkaNative.Sim.Groups.Assignors;

/// <summary>
/// Kafka's <c>range</c> server-side assignor in its classic form: per topic, the subscribed members in member-id order
/// each take a contiguous range of partitions, the first <c>partitions % members</c> one more, so members subscribed to
/// the same co-partitioned topics get the same partition numbers. Unlike Kafka's it is not sticky.
/// </summary>
internal sealed class RangeAssignor : IServerAssignor
{
    public string Name => "range";

    public Dictionary<string, HashSet<TopicAndPartition>> Assign(
        IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionCounts,
        IReadOnlyDictionary<string, HashSet<TopicAndPartition>> previous)
    {
        var result = members.ToDictionary(m => m.MemberId, _ => new HashSet<TopicAndPartition>());
        foreach ((string topic, int count) in partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            List<AssignorMember> subscribers = members.Where(m => m.Topics.Contains(topic)).OrderBy(m => m.MemberId, StringComparer.Ordinal).ToList();
            if (subscribers.Count == 0) continue;
            int each = count / subscribers.Count, extra = count % subscribers.Count, next = 0;
            for (int i = 0; i < subscribers.Count; i++)
            {
                int take = each + (i < extra ? 1 : 0);
                for (int p = next; p < next + take; p++) result[subscribers[i].MemberId].Add(new TopicAndPartition(topic, p));
                next += take;
            }
        }
        return result;
    }
}
