namespace KafkaNative.Client.Admin;

/// <summary>A topic to create.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Partitions">Number of partitions; -1 for the broker default.</param>
/// <param name="ReplicationFactor">Replicas per partition; -1 for the broker default.</param>
public sealed record NewTopic(string Name, int Partitions = -1, short ReplicationFactor = -1)
{
    /// <summary>Topic configuration, for example <c>cleanup.policy</c>; empty for the defaults.</summary>
    public IReadOnlyDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();
}
