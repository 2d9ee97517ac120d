namespace KafkaNative.Consumer.Assignors;

/// <summary>
/// The <c>roundrobin</c> assignor (Java's RoundRobinAssignor): all partitions sorted by topic and
/// index are dealt to the members sorted by id in turn, skipping members not subscribed to the topic.
/// </summary>
internal sealed class RoundRobinAssignor : IPartitionAssignor
{
    public string Name => "roundrobin";

    public bool IsCooperative => false;

    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMemberSubscription> members)
    {
        Dictionary<string, List<TopicPartition>> result = PartitionAssignors.Empty(members);
        var sorted = PartitionAssignors.Sorted(members).ToList();
        if (sorted.Count == 0) return result;
        int next = 0;
        foreach ((string topic, int count) in partitionsPerTopic.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!sorted.Any(m => m.Topics.Contains(topic))) continue;
            for (int p = 0; p < count; p++)
            {
                while (!sorted[next].Topics.Contains(topic)) next = (next + 1) % sorted.Count;
                result[sorted[next].MemberId].Add(new TopicPartition(topic, p));
                next = (next + 1) % sorted.Count;
            }
        }
        return result;
    }
}
