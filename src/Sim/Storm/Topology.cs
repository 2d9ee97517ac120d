namespace KafkaNative.Sim.Storm;

/// <summary>A broker and where it runs.</summary>
internal sealed record TopologyBroker(int Id, string Zone, string Region);

/// <summary>A topic: its partition count and how many brokers hold each partition.</summary>
internal sealed record TopologyTopic(string Name, int Partitions, int ReplicationFactor);

/// <summary>
/// Brokers placed in zones and regions, and the topics they host. Replicas are assigned rack-aware:
/// brokers are ordered so neighbours sit in different zones, and partition p takes the
/// replication-factor brokers starting at position p, the first being the preferred leader.
/// </summary>
internal sealed record Topology(string Name, IReadOnlyList<TopologyBroker> Brokers, IReadOnlyList<TopologyTopic> Topics)
{
    /// <summary>The embedded default: three brokers, one per zone, one region.</summary>
    public static Topology ThreeZones { get; } = new(
        "three-zones",
        [
            new TopologyBroker(1, "eu-west-1a", "eu-west-1"),
            new TopologyBroker(2, "eu-west-1b", "eu-west-1"),
            new TopologyBroker(3, "eu-west-1c", "eu-west-1"),
        ],
        [new TopologyTopic("events", 12, 3)]);

    /// <summary>Nine brokers in three zones of two regions (two zones in one region, one in the other).</summary>
    public static Topology TwoRegions { get; } = new(
        "two-regions",
        [
            .. Enumerable.Range(1, 3).Select(id => new TopologyBroker(id, "us-east-1a", "us-east-1")),
            .. Enumerable.Range(4, 3).Select(id => new TopologyBroker(id, "us-east-1b", "us-east-1")),
            .. Enumerable.Range(7, 3).Select(id => new TopologyBroker(id, "us-west-2a", "us-west-2")),
        ],
        [new TopologyTopic("events", 36, 3)]);

    public static IReadOnlyList<Topology> BuiltIn { get; } = [ThreeZones, TwoRegions];

    public int PartitionCount => Topics.Sum(topic => topic.Partitions);

    public IReadOnlyList<string> Zones => Brokers.Select(broker => broker.Zone).Distinct().ToArray();

    public IReadOnlyList<string> Regions => Brokers.Select(broker => broker.Region).Distinct().ToArray();

    public string RegionOf(string zone) => Brokers.First(broker => broker.Zone == zone).Region;

    public int IndexOfBroker(int brokerId)
    {
        for (int index = 0; index < Brokers.Count; index++)
            if (Brokers[index].Id == brokerId)
                return index;
        return -1;
    }

    /// <summary>Replica broker indexes (into <see cref="Brokers"/>) for every partition of every topic, in order.</summary>
    public int[][] AssignReplicas()
    {
        var zoneInterleaved = Brokers
            .Select((broker, index) => (broker, index))
            .GroupBy(entry => entry.broker.Zone)
            .SelectMany(group => group.Select((entry, rank) => (entry.index, rank)))
            .OrderBy(entry => entry.rank)
            .Select(entry => entry.index)
            .ToArray();
        var replicas = new int[PartitionCount][];
        int partition = 0;
        foreach (var topic in Topics)
        {
            for (int p = 0; p < topic.Partitions; p++, partition++)
            {
                replicas[partition] = new int[topic.ReplicationFactor];
                for (int r = 0; r < topic.ReplicationFactor; r++)
                    replicas[partition][r] = zoneInterleaved[(p + r) % zoneInterleaved.Length];
            }
        }
        return replicas;
    }

    /// <summary>Throws <see cref="ScenarioFormatException"/> naming the first inconsistency.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
            throw new ScenarioFormatException("topology.name must not be empty");
        if (Brokers.Count == 0)
            throw new ScenarioFormatException("topology.brokers must list at least one broker");
        var ids = new HashSet<int>();
        var regionOfZone = new Dictionary<string, string>();
        foreach (var broker in Brokers)
        {
            if (broker.Id < 0)
                throw new ScenarioFormatException($"topology.brokers: broker id {broker.Id} must not be negative");
            if (!ids.Add(broker.Id))
                throw new ScenarioFormatException($"topology.brokers: broker id {broker.Id} appears twice");
            if (string.IsNullOrWhiteSpace(broker.Zone) || string.IsNullOrWhiteSpace(broker.Region))
                throw new ScenarioFormatException($"topology.brokers: broker {broker.Id} needs a zone and a region");
            if (regionOfZone.TryGetValue(broker.Zone, out var region) && region != broker.Region)
                throw new ScenarioFormatException($"topology.brokers: zone '{broker.Zone}' is in two regions ('{region}' and '{broker.Region}')");
            regionOfZone[broker.Zone] = broker.Region;
        }
        if (Topics.Count == 0)
            throw new ScenarioFormatException("topology.topics must list at least one topic");
        foreach (var topic in Topics)
        {
            if (string.IsNullOrWhiteSpace(topic.Name))
                throw new ScenarioFormatException("topology.topics: a topic needs a name");
            if (topic.Partitions is < 1 or > 100_000)
                throw new ScenarioFormatException($"topology.topics: topic '{topic.Name}' partitions must be 1..100000, got {topic.Partitions}");
            if (topic.ReplicationFactor < 1 || topic.ReplicationFactor > Brokers.Count)
                throw new ScenarioFormatException(
                    $"topology.topics: topic '{topic.Name}' replicationFactor must be 1..{Brokers.Count} (the broker count), got {topic.ReplicationFactor}");
        }
    }
}
