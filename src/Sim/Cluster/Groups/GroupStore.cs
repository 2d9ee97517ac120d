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

    /// <summary>Forgets a deleted group (DeleteGroups); a later join starts it afresh.</summary>
    public void Remove(string groupId) => _groups.TryRemove(groupId, out _);
}
