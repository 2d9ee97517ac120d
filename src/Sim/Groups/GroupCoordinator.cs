using KafkaNative.Protocol;

namespace KafkaNative.Sim.Groups;

/// <summary>
/// The groups one broker coordinates. A group belongs to the broker its slot maps to; requests for
/// groups coordinated elsewhere get NOT_COORDINATOR. When a slot moves (its broker stopped or came
/// back) the member state held for it is dropped and members rejoin; committed offsets live on in the
/// cluster's offset store. Runs on the broker actor.
/// </summary>
internal sealed class GroupCoordinator(SimulatedBroker broker)
{
    private readonly Dictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);

    /// <summary>INVALID_GROUP_ID, NOT_COORDINATOR or NONE for requests about <paramref name="groupId"/>.</summary>
    public ErrorCode CheckCoordinator(string? groupId)
    {
        if (string.IsNullOrEmpty(groupId)) return ErrorCode.InvalidGroupId;
        return broker.Cluster.Controller.CoordinatorFor(groupId).BrokerId == broker.Id ? ErrorCode.None : ErrorCode.NotCoordinator;
    }

    /// <summary>The group's state if this broker holds a current one.</summary>
    public ConsumerGroup? Find(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out ConsumerGroup? group)) return null;
        if (group.CoordinatorEpoch == broker.Cluster.Controller.CoordinatorFor(groupId).Epoch) return group;
        group.Fail(ErrorCode.NotCoordinator);
        _groups.Remove(groupId);
        return null;
    }

    public ConsumerGroup GetOrCreate(string groupId)
    {
        if (Find(groupId) is ConsumerGroup group) return group;
        group = new ConsumerGroup(groupId, broker.Cluster.Controller.CoordinatorFor(groupId).Epoch, broker.Cluster.Options);
        _groups[groupId] = group;
        return group;
    }

    /// <summary>Groups this broker currently coordinates, including those that only have committed offsets.</summary>
    public IEnumerable<ConsumerGroup> Current() => _groups.Keys.ToList().Select(Find).OfType<ConsumerGroup>();

    public void OnTick(long now)
    {
        foreach (ConsumerGroup group in Current()) group.OnTick(now);
    }

    public void Clear() => _groups.Clear();
}
