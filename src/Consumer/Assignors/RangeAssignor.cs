namespace KafkaNative.Consumer.Assignors;

/// <summary>
/// The <c>range</c> assignor (Java's RangeAssignor, librdkafka's range): per topic, the subscribed
/// members sorted by id each get a contiguous range; the first <c>partitions % members</c> get one extra.
/// </summary>
internal sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => "range";

    public bool IsCooperative => false;

    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMemberSubscription> members)
    {
        Dictionary<string, List<TopicPartition>> result = PartitionAssignors.Empty(members);
        foreach ((string topic, int count) in partitionsPerTopic.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var subscribers = PartitionAssignors.Sorted(members.Where(m => m.Topics.Contains(topic))).ToList();
            if (subscribers.Count == 0) continue;
            int per = count / subscribers.Count, extra = count % subscribers.Count;
            for (int i = 0; i < subscribers.Count; i++)
            {
                int start = per * i + Math.Min(i, extra);
                int length = per + (i < extra ? 1 : 0);
                List<TopicPartition> target = result[subscribers[i].MemberId];
                for (int p = start; p < start + length; p++) target.Add(new TopicPartition(topic, p));
            }
        }
        foreach (List<TopicPartition> list in result.Values) list.Sort();
        return result;
    }
}
