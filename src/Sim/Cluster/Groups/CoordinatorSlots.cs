namespace KafkaNative.Sim.Groups;

/// <summary>
/// Which broker coordinates which groups: a group maps to one of Kafka's 50 __consumer_offsets partitions
/// (Java's String.hashCode modulo 50), a slot here, led by one broker; the slot's preferred broker is the
/// slot modulo the broker count. Each slot has an epoch, bumped whenever its owner changes, so the new
/// coordinator knows to load the group. Used under the controller's lock.
/// </summary>
internal sealed class CoordinatorSlots(int brokerCount)
{
    /// <summary>Kafka's default <c>offsets.topic.num.partitions</c>.</summary>
    private const int Count = 50;

    private readonly int[] _owner = Enumerable.Repeat(-1, Count).ToArray();
    private readonly int[] _epoch = new int[Count];

    public (int BrokerId, int Epoch) Get(string groupId)
    {
        int slot = SlotOf(groupId);
        return (_owner[slot], _epoch[slot]);
    }

    /// <summary>Moves the group's slot, and so every group of it; false when the broker already owned it.</summary>
    public bool Move(string groupId, int brokerId)
    {
        int slot = SlotOf(groupId);
        if (_owner[slot] == brokerId) return false;
        _owner[slot] = brokerId;
        _epoch[slot]++;
        return true;
    }

    /// <summary>Slots of fenced brokers move to the next live broker; a returning broker takes back the slots it prefers.</summary>
    public void Rebalance(bool[] alive, int returning)
    {
        for (int slot = 0; slot < Count; slot++)
        {
            int preferred = slot % brokerCount;
            int current = _owner[slot];
            if (current >= 0 && alive[current] && preferred != returning) continue;
            int owner = -1;
            for (int i = 0; i < brokerCount && owner < 0; i++)
            {
                if (alive[(preferred + i) % brokerCount]) owner = (preferred + i) % brokerCount;
            }
            if (owner == current) continue;
            _owner[slot] = owner;
            _epoch[slot]++;
        }
    }

    public static int SlotOf(string groupId)
    {
        int hash = 0;
        foreach (char c in groupId) hash = unchecked(31 * hash + c);
        return (int)((uint)(hash & 0x7fffffff) % Count);
    }
}
