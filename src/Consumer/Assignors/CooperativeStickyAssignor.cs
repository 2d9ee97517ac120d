namespace KafkaNative.Consumer.Assignors;

/// <summary>
/// The <c>cooperative-sticky</c> assignor: members keep the partitions they own (the newest generation
/// wins a conflict), free partitions go to the least loaded eligible member, and partitions move from
/// the most to the least loaded member until counts differ by at most one where subscriptions allow.
/// A partition that changes owner is left unassigned in this round so its owner revokes it first
/// (the incremental cooperative protocol, KIP-429); the follow-up rebalance hands it over.
/// </summary>
internal sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    public string Name => "cooperative-sticky";

    public bool IsCooperative => true;

    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMemberSubscription> members)
    {
        var sorted = PartitionAssignors.Sorted(members).ToList();
        var assignment = new Dictionary<string, SortedSet<TopicPartition>>(StringComparer.Ordinal);
        foreach (GroupMemberSubscription member in sorted) assignment[member.MemberId] = [];
        var subscribers = sorted.ToDictionary(m => m.MemberId, m => new HashSet<string>(m.Topics, StringComparer.Ordinal), StringComparer.Ordinal);

        var all = new List<TopicPartition>();
        foreach ((string topic, int count) in partitionsPerTopic.OrderBy(t => t.Key, StringComparer.Ordinal))
            for (int p = 0; p < count; p++) all.Add(new TopicPartition(topic, p));
        var exists = new HashSet<TopicPartition>(all);

        // Keep what members own; the newest generation wins when two claim the same partition.
        var previousOwner = new Dictionary<TopicPartition, string>();
        foreach (GroupMemberSubscription member in sorted.OrderByDescending(m => m.Generation))
        {
            foreach (TopicPartition tp in member.OwnedPartitions)
            {
                if (!exists.Contains(tp) || !subscribers[member.MemberId].Contains(tp.Topic) || previousOwner.ContainsKey(tp)) continue;
                previousOwner[tp] = member.MemberId;
                assignment[member.MemberId].Add(tp);
            }
        }

        // Free partitions go to the least loaded eligible member.
        foreach (TopicPartition tp in all)
        {
            if (previousOwner.ContainsKey(tp)) continue;
            string? target = LeastLoaded(sorted, assignment, subscribers, tp.Topic);
            if (target is not null) assignment[target].Add(tp);
        }

        // Balance: move from the most to the least loaded member while that narrows the gap.
        for (int guard = all.Count * Math.Max(1, sorted.Count); guard > 0; guard--)
        {
            if (!TryMoveOne(sorted, assignment, subscribers)) break;
        }

        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (GroupMemberSubscription member in sorted)
        {
            // Cooperative: a partition another member still owns is revoked there first, handed over next round.
            result[member.MemberId] = assignment[member.MemberId]
                .Where(tp => !previousOwner.TryGetValue(tp, out string? owner) || owner == member.MemberId)
                .ToList();
        }
        return result;
    }

    private static string? LeastLoaded(List<GroupMemberSubscription> sorted, Dictionary<string, SortedSet<TopicPartition>> assignment, Dictionary<string, HashSet<string>> subscribers, string topic)
    {
        string? best = null;
        int bestCount = int.MaxValue;
        foreach (GroupMemberSubscription member in sorted)
        {
            if (!subscribers[member.MemberId].Contains(topic)) continue;
            int count = assignment[member.MemberId].Count;
            if (count < bestCount)
            {
                best = member.MemberId;
                bestCount = count;
            }
        }
        return best;
    }

    private static bool TryMoveOne(List<GroupMemberSubscription> sorted, Dictionary<string, SortedSet<TopicPartition>> assignment, Dictionary<string, HashSet<string>> subscribers)
    {
        // The most loaded members first; for each, the least loaded member that can take one of its partitions.
        foreach (GroupMemberSubscription from in sorted.OrderByDescending(m => assignment[m.MemberId].Count))
        {
            SortedSet<TopicPartition> source = assignment[from.MemberId];
            foreach (GroupMemberSubscription to in sorted.OrderBy(m => assignment[m.MemberId].Count))
            {
                SortedSet<TopicPartition> target = assignment[to.MemberId];
                if (source.Count - target.Count <= 1) break;
                // Move the highest partition the target may take, so low partitions stay put.
                foreach (TopicPartition tp in source.Reverse())
                {
                    if (!subscribers[to.MemberId].Contains(tp.Topic)) continue;
                    source.Remove(tp);
                    target.Add(tp);
                    return true;
                }
            }
        }
        return false;
    }
}
