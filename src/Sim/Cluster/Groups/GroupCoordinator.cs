using KafkaNative.Protocol;

namespace KafkaNative.Sim.Groups;

/// <summary>
/// One broker's coordinator role: it serves the groups whose slot it owns and answers NOT_COORDINATOR for
/// the others. Group state lives cluster-wide in the <see cref="GroupStore"/>; when a slot moves here the
/// group is loaded (as Kafka loads it from __consumer_offsets) with its generation, members and assignments.
/// </summary>
internal sealed class GroupCoordinator(SimulatedBroker broker)
{
    /// <summary>INVALID_GROUP_ID, NOT_COORDINATOR or NONE for requests about <paramref name="groupId"/>.</summary>
    public ErrorCode CheckCoordinator(string? groupId)
    {
        if (string.IsNullOrEmpty(groupId)) return ErrorCode.InvalidGroupId;
        return broker.Cluster.Controller.CoordinatorFor(groupId).BrokerId == broker.Id ? ErrorCode.None : ErrorCode.NotCoordinator;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the group under its lock once this broker is confirmed as its
    /// coordinator (loading it first if the coordinator just moved here), and returns what it returns;
    /// NOT_COORDINATOR when another broker coordinates the group. The action gets null when the group
    /// does not exist and <paramref name="create"/> is false.
    /// </summary>
    public ErrorCode Use(string groupId, bool create, Func<ConsumerGroup?, ErrorCode> action)
    {
        if (CheckCoordinator(groupId) is var error && error != ErrorCode.None) return error;
        GroupStore store = broker.Cluster.GroupStore;
        ConsumerGroup? group = create
            ? store.GetOrAdd(groupId, id => new ConsumerGroup(id, broker.Cluster.Controller.CoordinatorFor(id).Epoch, broker.Cluster.Options))
            : store.Get(groupId);
        return UseLocked(groupId, group, action);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the consumer-protocol group (KIP-848) under its lock once this broker is confirmed
    /// as its coordinator, loading it first if the coordinator just moved here, as <see cref="Use"/> does for classic groups.
    /// </summary>
    public ErrorCode UseConsumer(string groupId, bool create, Func<ConsumerProtocolGroup?, ErrorCode> action)
    {
        if (CheckCoordinator(groupId) is var error && error != ErrorCode.None) return error;
        GroupStore store = broker.Cluster.GroupStore;
        ConsumerProtocolGroup? group = create
            ? store.GetOrAddConsumer(groupId, id => new ConsumerProtocolGroup(id, broker.Cluster.Controller.CoordinatorFor(id).Epoch, broker.Cluster.Options))
            : store.GetConsumer(groupId);
        return UseLocked(groupId, group, action);
    }

    private ErrorCode UseLocked<TGroup>(string groupId, TGroup? group, Func<TGroup?, ErrorCode> action) where TGroup : class, ICoordinatedGroup
    {
        if (group is null) return action(null);
        // The lock orders this broker's work with a new coordinator's load when the slot moves meanwhile.
        lock (group)
        {
            (int coordinator, int epoch) = broker.Cluster.Controller.CoordinatorFor(groupId);
            if (coordinator != broker.Id) return ErrorCode.NotCoordinator;
            if (group.CoordinatorEpoch != epoch) group.Load(epoch, broker.Cluster.NowMs);
            return action(group);
        }
    }

    /// <summary>Whether <paramref name="groupId"/> names a consumer-protocol group rather than a classic one.</summary>
    public bool IsConsumerGroup(string groupId) => broker.Cluster.GroupStore.GetConsumer(groupId) is not null;

    /// <summary>The groups this broker coordinates, with their state, protocol type and type (classic or consumer), for ListGroups.</summary>
    public IReadOnlyList<(string GroupId, string State, string ProtocolType, string Type)> Current()
    {
        var current = new List<(string, string, string, string)>();
        foreach (ConsumerGroup group in broker.Cluster.GroupStore.All)
        {
            Use(group.GroupId, create: false, g =>
            {
                current.Add((g!.GroupId, g.State.ToString(), g.ProtocolType ?? "", "classic"));
                return ErrorCode.None;
            });
        }
        foreach (ConsumerProtocolGroup group in broker.Cluster.GroupStore.AllConsumer)
        {
            UseConsumer(group.GroupId, create: false, g =>
            {
                current.Add((g!.GroupId, g.State, "consumer", "consumer"));
                return ErrorCode.None;
            });
        }
        return current;
    }

    /// <summary>Expires members and rebalances of the groups this broker coordinates.</summary>
    public void OnTick(long now)
    {
        foreach (ConsumerGroup group in broker.Cluster.GroupStore.All)
        {
            if (broker.Cluster.Controller.CoordinatorFor(group.GroupId).BrokerId != broker.Id) continue;
            Use(group.GroupId, create: false, g =>
            {
                g!.OnTick(now);
                return ErrorCode.None;
            });
        }
        IReadOnlyList<TopicSnapshot>? topics = null;
        foreach (ConsumerProtocolGroup group in broker.Cluster.GroupStore.AllConsumer)
        {
            if (broker.Cluster.Controller.CoordinatorFor(group.GroupId).BrokerId != broker.Id) continue;
            topics ??= broker.Cluster.Controller.AllTopics();
            UseConsumer(group.GroupId, create: false, g =>
            {
                g!.OnTick(now, topics);
                return ErrorCode.None;
            });
        }
    }
}

/// <summary>A group a coordinator serves: classic or consumer-protocol, loaded again when its coordinator slot moves.</summary>
internal interface ICoordinatedGroup
{
    int CoordinatorEpoch { get; }

    void Load(int coordinatorEpoch, long now);
}
