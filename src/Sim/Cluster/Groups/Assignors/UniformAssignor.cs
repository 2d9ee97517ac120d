namespace KafkaNative.Sim.Groups.Assignors;

/// <summary>
/// Kafka's <c>uniform</c> server-side assignor in spirit: balanced (member counts of eligible members differ by at most
/// one where subscriptions allow) and sticky (a partition stays with its member of the previous target unless balance
/// needs it elsewhere). It keeps valid previous assignments, hands the rest to the least loaded subscriber, then moves
/// partitions from the most to the least loaded eligible member until no move helps. Racks are not considered.
/// </summary>
internal sealed class UniformAssignor : IServerAssignor
{
    public string Name => "uniform";

    public Dictionary<string, HashSet<TopicAndPartition>> Assign(
        IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionCounts,
        IReadOnlyDictionary<string, HashSet<TopicAndPartition>> previous)
    {
        var result = members.ToDictionary(m => m.MemberId, _ => new HashSet<TopicAndPartition>());
        var taken = new HashSet<TopicAndPartition>();
        // 1. Stickiness: a member keeps what it had where the partition still exists and it still subscribes to the topic.
        foreach (AssignorMember member in members)
        {
            if (!previous.TryGetValue(member.MemberId, out HashSet<TopicAndPartition>? had)) continue;
            foreach (TopicAndPartition tp in had.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition))
            {
                if (member.Topics.Contains(tp.Topic) && partitionCounts.TryGetValue(tp.Topic, out int count) && tp.Partition < count && taken.Add(tp))
                    result[member.MemberId].Add(tp);
            }
        }
        // 2. The rest go to the least loaded member subscribed to their topic.
        foreach (TopicAndPartition tp in AllPartitions(partitionCounts))
        {
            if (taken.Contains(tp)) continue;
            AssignorMember? target = members.Where(m => m.Topics.Contains(tp.Topic))
                .OrderBy(m => result[m.MemberId].Count).ThenBy(m => m.MemberId, StringComparer.Ordinal).FirstOrDefault();
            if (target is null) continue;
            result[target.MemberId].Add(tp);
            taken.Add(tp);
        }
        // 3. Balance: move a partition from a member to an eligible one holding at least two fewer, until none can move.
        for (bool moved = true; moved;)
        {
            moved = false;
            foreach (AssignorMember from in members.OrderByDescending(m => result[m.MemberId].Count).ThenBy(m => m.MemberId, StringComparer.Ordinal))
            {
                foreach (TopicAndPartition tp in result[from.MemberId].OrderByDescending(p => p.Partition).ThenBy(p => p.Topic, StringComparer.Ordinal).ToList())
                {
                    AssignorMember? to = members.Where(m => m.Topics.Contains(tp.Topic) && result[m.MemberId].Count + 1 < result[from.MemberId].Count)
                        .OrderBy(m => result[m.MemberId].Count).ThenBy(m => m.MemberId, StringComparer.Ordinal).FirstOrDefault();
                    if (to is null) continue;
                    result[from.MemberId].Remove(tp);
                    result[to.MemberId].Add(tp);
                    moved = true;
                    break;
                }
                if (moved) break;
            }
        }
        return result;
    }

    internal static IEnumerable<TopicAndPartition> AllPartitions(IReadOnlyDictionary<string, int> partitionCounts) =>
        partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal).SelectMany(t => Enumerable.Range(0, t.Value).Select(p => new TopicAndPartition(t.Key, p)));
}
