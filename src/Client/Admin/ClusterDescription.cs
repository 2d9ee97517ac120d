namespace KafkaNative.Admin;

/// <summary>The cluster as the brokers describe it.</summary>
/// <param name="ClusterId">The cluster id.</param>
/// <param name="ControllerId">The controller's node id, or -1.</param>
/// <param name="Brokers">The live brokers, ordered by node id.</param>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<BrokerMetadata> Brokers);
