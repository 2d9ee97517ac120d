using System.Collections.Concurrent;

namespace KafkaNative.Sim.Groups;

/// <summary>
/// Every group's state (generation, members, protocol, assignments), cluster-wide, as Kafka keeps it in the
/// replicated __consumer_offsets topic: the broker that becomes a group's coordinator loads it from here, so
/// a coordinator moving to another broker loses nothing. Only the group's current coordinator touches a group,
/// under the group's lock (see <see cref="GroupCoordinator.Use"/>).
/// </summary>
internal sealed class GroupStore
{
    private readonly ConcurrentDictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);

    public ConsumerGroup? Get(string groupId) => _groups.GetValueOrDefault(groupId);

    public ConsumerGroup GetOrAdd(string groupId, Func<string, ConsumerGroup> create) => _groups.GetOrAdd(groupId, create);

    public IEnumerable<ConsumerGroup> All => _groups.Values;

    private readonly ConcurrentDictionary<string, ConsumerProtocolGroup> _consumerGroups = new(StringComparer.Ordinal);

    /// <summary>Forgets a deleted group (DeleteGroups), or a classic one that became a consumer-protocol group; a later join starts it afresh.</summary>
    public void Remove(string groupId) => _groups.TryRemove(groupId, out _);

    /// <summary>The consumer-protocol group (KIP-848) of that id, if it is one: a group id names a classic group or a consumer one, never both.</summary>
    public ConsumerProtocolGroup? GetConsumer(string groupId) => _consumerGroups.GetValueOrDefault(groupId);

    public ConsumerProtocolGroup GetOrAddConsumer(string groupId, Func<string, ConsumerProtocolGroup> create) => _consumerGroups.GetOrAdd(groupId, create);

    public IEnumerable<ConsumerProtocolGroup> AllConsumer => _consumerGroups.Values;

    /// <summary>Forgets a consumer-protocol group (deleted, or empty and turned into a classic group by a JoinGroup).</summary>
    public void RemoveConsumer(string groupId) => _consumerGroups.TryRemove(groupId, out _);
}
