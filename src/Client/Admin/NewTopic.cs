using KafkaNative.Protocol;

namespace KafkaNative.Admin;

/// <summary>A topic to create.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Partitions">Number of partitions; -1 for the broker default.</param>
/// <param name="ReplicationFactor">Replicas per partition; -1 for the broker default.</param>
public sealed record NewTopic(string Name, int Partitions = Sentinels.BrokerDefault, short ReplicationFactor = Sentinels.BrokerDefault)
{
    /// <summary>Topic configuration, for example <c>cleanup.policy</c>; empty for the defaults.</summary>
    public IReadOnlyDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();
}
