using KafkaNative.Client.Diagnostics;

namespace KafkaNative.Client;

/// <summary>KIP-951 leader hints: a Produce or Fetch answer's CurrentLeader moves a partition in the cache without a Metadata request.</summary>
internal sealed partial class MetadataCache
{
    // Hints newer than the metadata last fetched: a refresh that answers with an older epoch keeps them.
    private readonly Dictionary<(string Topic, int Partition), (int LeaderId, int LeaderEpoch, BrokerMetadata? Broker)> _hints = new();

    /// <summary>
    /// Applies a KIP-951 leader hint (a Produce or Fetch answer's CurrentLeader, with the leader's endpoint when the
    /// answer listed it): when its leader epoch is newer than the cached one, the partition's leader changes in the cache
    /// without a Metadata request. True when the cache now names a leader other than <paramref name="failedNodeId"/> at an
    /// epoch at least the hint's, so a retry may go there; false sends the caller to fetch fresh metadata as before.
    /// </summary>
    public bool TryApplyLeaderHint(string topic, int partition, int leaderId, int leaderEpoch, BrokerEndpoint? endpoint, int failedNodeId)
    {
        if (leaderId < 0 || leaderEpoch < 0 || leaderId == failedNodeId) return false;
        lock (_lock)
        {
            ClusterMetadata? current = Current;
            if (current?.GetPartition(topic, partition) is not { } cached) return false;
            if (cached.LeaderEpoch < leaderEpoch)
            {
                BrokerMetadata? broker = endpoint is { } e
                    ? new BrokerMetadata(leaderId, e, current.Brokers.TryGetValue(leaderId, out BrokerMetadata? known) ? known.Rack : null)
                    : null;
                if (broker is null && !current.Brokers.ContainsKey(leaderId)) return false;
                ClusterMetadata updated = current.WithLeader(topic, partition, leaderId, leaderEpoch, broker)!;
                Volatile.Write(ref _metadata, updated);
                _hints[(topic, partition)] = (leaderId, leaderEpoch, broker);
                Log.LeaderHintApplied(_logger, topic, partition, leaderId, leaderEpoch);
                return true;
            }
            return cached.LeaderEpoch >= leaderEpoch && cached.LeaderId >= 0 && cached.LeaderId != failedNodeId && current.Brokers.ContainsKey(cached.LeaderId);
        }
    }

    /// <summary>Hints newer than <paramref name="metadata"/> survive it (under the lock); hints it caught up with are dropped.</summary>
    private ClusterMetadata KeepNewerHints(ClusterMetadata metadata)
    {
        foreach (((string topic, int partition), (int leaderId, int leaderEpoch, BrokerMetadata? broker)) in _hints.ToArray())
        {
            PartitionMetadata? fetched = metadata.GetPartition(topic, partition);
            if (fetched is null || fetched.LeaderEpoch >= leaderEpoch) _hints.Remove((topic, partition));
            else metadata = metadata.WithLeader(topic, partition, leaderId, leaderEpoch, broker is not null && !metadata.Brokers.ContainsKey(leaderId) ? broker : null) ?? metadata;
        }
        return metadata;
    }

}
