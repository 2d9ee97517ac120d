namespace KafkaNative.Sim.Storm;

/// <summary>
/// Partition leadership as the controller sees it, with every past version kept so a client's cached
/// metadata is just a version number. Only leaderships change, and rarely, so the history stays small.
/// </summary>
internal sealed class ClusterState
{
    private readonly int[][] replicas;
    private readonly List<int[]> versions = [];

    public ClusterState(Topology topology)
    {
        replicas = topology.AssignReplicas();
        versions.Add(replicas.Select(set => set[0]).ToArray());
    }

    public int PartitionCount => replicas.Length;

    public int CurrentVersion => versions.Count - 1;

    /// <summary>Leader broker index of a partition in a metadata version, or -1 when it had none.</summary>
    public int Leader(int version, int partition) => versions[version][partition];

    public int CurrentLeader(int partition) => versions[^1][partition];

    public int LeaderCount(int broker) => versions[^1].Count(leader => leader == broker);

    /// <summary>
    /// Moves every leadership held by a dead broker (or by none) to the first live replica; all live
    /// replicas count as in sync. Returns whether anything changed.
    /// </summary>
    public bool ElectLeaders(IReadOnlyList<BrokerState> brokers)
    {
        int[] current = versions[^1];
        int[]? next = null;
        for (int partition = 0; partition < current.Length; partition++)
        {
            int leader = current[partition];
            if (leader >= 0 && brokers[leader].Alive)
                continue;
            int elected = FirstLiveReplica(partition, brokers);
            if (elected == leader)
                continue;
            next ??= (int[])current.Clone();
            next[partition] = elected;
        }
        if (next is null)
            return false;
        versions.Add(next);
        return true;
    }

    private int FirstLiveReplica(int partition, IReadOnlyList<BrokerState> brokers)
    {
        foreach (int replica in replicas[partition])
            if (brokers[replica].Alive)
                return replica;
        return -1;
    }
}
