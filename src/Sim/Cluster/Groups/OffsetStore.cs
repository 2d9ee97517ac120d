namespace KafkaNative.Sim.Groups;

/// <summary>A committed offset, as OffsetCommit stored it.</summary>
internal sealed record CommittedOffset(long Offset, int LeaderEpoch, string? Metadata);

/// <summary>
/// Committed offsets of every group, shared by the brokers as Kafka's replicated __consumer_offsets
/// topic is: they survive a coordinator moving to another broker.
/// </summary>
internal sealed class OffsetStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Dictionary<TopicAndPartition, CommittedOffset>> _groups = new(StringComparer.Ordinal);

    public void Commit(string groupId, TopicAndPartition partition, CommittedOffset offset)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out Dictionary<TopicAndPartition, CommittedOffset>? offsets))
            {
                offsets = new Dictionary<TopicAndPartition, CommittedOffset>();
                _groups[groupId] = offsets;
            }
            offsets[partition] = offset;
        }
    }

    public CommittedOffset? Get(string groupId, TopicAndPartition partition)
    {
        lock (_lock) return _groups.TryGetValue(groupId, out var offsets) ? offsets.GetValueOrDefault(partition) : null;
    }

    public IReadOnlyList<(TopicAndPartition Partition, CommittedOffset Offset)> All(string groupId)
    {
        lock (_lock)
        {
            return _groups.TryGetValue(groupId, out var offsets)
                ? offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition).Select(o => (o.Key, o.Value)).ToList()
                : [];
        }
    }

    /// <summary>Whether <paramref name="groupId"/> has committed any offset: a group that only committed exists for DeleteGroups.</summary>
    public bool HasAny(string groupId)
    {
        lock (_lock) return _groups.TryGetValue(groupId, out var offsets) && offsets.Count > 0;
    }

    /// <summary>Forgets one committed offset (OffsetDelete).</summary>
    public void Remove(string groupId, TopicAndPartition partition)
    {
        lock (_lock)
        {
            if (_groups.TryGetValue(groupId, out var offsets)) offsets.Remove(partition);
        }
    }

    /// <summary>Forgets every offset of a deleted group (DeleteGroups).</summary>
    public void RemoveGroup(string groupId)
    {
        lock (_lock) _groups.Remove(groupId);
    }

    public void RemoveTopic(string topic)
    {
        lock (_lock)
        {
            foreach (Dictionary<TopicAndPartition, CommittedOffset> offsets in _groups.Values)
            {
                foreach (TopicAndPartition partition in offsets.Keys.Where(p => p.Topic == topic).ToList()) offsets.Remove(partition);
            }
        }
    }
}
