using KafkaNative.Protocol;

namespace KafkaNative.Sim;

/// <summary>Where a new partition's replicas go.</summary>
internal static class ReplicaPlacement
{
    /// <summary>
    /// Rack-aware placement as Kafka does it: brokers ordered so racks alternate, leaders spread from a
    /// random start, followers taken from the following brokers on racks not yet used.
    /// </summary>
    public static (ErrorCode, string?, List<int[]>?) Place(bool[] isAlive, IReadOnlyList<string> racks, Random random,
        int partitions, short replicationFactor, IReadOnlyList<int[]>? assignment, int firstIndex)
    {
        int[] alive = Enumerable.Range(0, isAlive.Length).Where(b => isAlive[b]).ToArray();
        if (assignment is not null)
        {
            foreach (int[] replicas in assignment)
            {
                if (replicas.Length == 0 || replicas.Distinct().Count() != replicas.Length || replicas.Any(r => r < 0 || r >= isAlive.Length))
                    return (ErrorCode.InvalidReplicaAssignment, "Replica assignment names unknown or duplicate brokers.", null);
            }
            return (ErrorCode.None, null, assignment.ToList());
        }
        if (partitions < 1) return (ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0.", null);
        if (replicationFactor < 1) return (ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0.", null);
        if (replicationFactor > alive.Length)
            return (ErrorCode.InvalidReplicationFactor, $"Replication factor: {replicationFactor} larger than available brokers: {alive.Length}.", null);

        int[] ordered = alive.GroupBy(b => racks[b]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Select((broker, rank) => (broker, rank)))
            .OrderBy(x => x.rank).ThenBy(x => racks[x.broker], StringComparer.Ordinal)
            .Select(x => x.broker).ToArray();
        int start = random.Next(ordered.Length);
        var result = new List<int[]>();
        for (int p = 0; p < partitions; p++)
        {
            int first = (start + firstIndex + p) % ordered.Length;
            var chosen = new List<int> { ordered[first] };
            var usedRacks = new HashSet<string> { racks[ordered[first]] };
            for (int step = 1; step < ordered.Length && chosen.Count < replicationFactor; step++)
            {
                int candidate = ordered[(first + step) % ordered.Length];
                if (usedRacks.Add(racks[candidate])) chosen.Add(candidate);
            }
            for (int step = 1; step < ordered.Length && chosen.Count < replicationFactor; step++)
            {
                int candidate = ordered[(first + step) % ordered.Length];
                if (!chosen.Contains(candidate)) chosen.Add(candidate);
            }
            result.Add(chosen.ToArray());
        }
        return (ErrorCode.None, null, result);
    }
}
