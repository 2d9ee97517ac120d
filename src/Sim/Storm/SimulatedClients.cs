namespace KafkaNative.Sim.Storm;

/// <summary>
/// The client actors, as parallel arrays indexed by client number rather than objects, so 100,000 of them
/// cost a few megabytes and no per-actor allocation. Producers come first, then consumers; zones are dealt
/// round-robin so every zone has both.
/// </summary>
internal sealed class SimulatedClients
{
    public SimulatedClients(Scenario scenario, int partitionCount, int zoneCount)
    {
        Count = scenario.Clients;
        ProducerCount = scenario.ProducerCount;
        ZoneIndex = new int[Count];
        MetadataVersion = new int[Count];
        AssignedPartition = new int[Count];
        for (int client = 0; client < Count; client++)
        {
            ZoneIndex[client] = client % zoneCount;
            AssignedPartition[client] = client % partitionCount;
        }
        double producerRate = scenario.ProducesPerSecond / Math.Max(1, ProducerCount);
        double consumerRate = scenario.FetchesPerSecond / Math.Max(1, Count - ProducerCount);
        MeanProducerInterarrivalMicros = producerRate > 0 ? VirtualClock.MicrosPerSecond / producerRate : double.PositiveInfinity;
        MeanConsumerInterarrivalMicros = consumerRate > 0 ? VirtualClock.MicrosPerSecond / consumerRate : double.PositiveInfinity;
    }

    public int Count { get; }

    public int ProducerCount { get; }

    public int[] ZoneIndex { get; }

    /// <summary>The cluster metadata version the client last fetched.</summary>
    public int[] MetadataVersion { get; }

    /// <summary>The partition a consumer fetches from (producers pick one per message).</summary>
    public int[] AssignedPartition { get; }

    public double MeanProducerInterarrivalMicros { get; }

    public double MeanConsumerInterarrivalMicros { get; }

    public bool IsProducer(int client) => client < ProducerCount;

    public double MeanInterarrivalMicros(int client) =>
        IsProducer(client) ? MeanProducerInterarrivalMicros : MeanConsumerInterarrivalMicros;
}
