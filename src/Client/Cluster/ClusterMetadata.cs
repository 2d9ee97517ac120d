using System.Collections.Frozen;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative;

/// <summary>An immutable snapshot of the cluster: brokers, controller and the topics asked about.</summary>
internal sealed class ClusterMetadata
{
    private ClusterMetadata(string? clusterId, int controllerId, FrozenDictionary<int, BrokerMetadata> brokers, FrozenDictionary<string, TopicMetadata> topics, int sourceNodeId)
    {
        ClusterId = clusterId;
        ControllerId = controllerId;
        Brokers = brokers;
        Topics = topics;
        SourceNodeId = sourceNodeId;
    }

    /// <summary>The cluster id, when the broker reports one.</summary>
    public string? ClusterId { get; }

    /// <summary>The controller's node id (in KRaft clusters, a broker that forwards controller requests), or -1.</summary>
    public int ControllerId { get; }

    /// <summary>Live brokers by node id.</summary>
    public IReadOnlyDictionary<int, BrokerMetadata> Brokers { get; }

    /// <summary>Topics by name.</summary>
    public IReadOnlyDictionary<string, TopicMetadata> Topics { get; }

    /// <summary>The node id of the broker that answered (negative for a bootstrap server).</summary>
    public int SourceNodeId { get; }

    /// <summary>
    /// When the request for this snapshot was sent (a timestamp of
    /// <see cref="KafkaClientOptions.TimeProvider"/>): metadata requested after a failure is the only kind that may say where to retry.
    /// </summary>
    public long RequestedAt { get; internal set; }

    /// <summary>The metadata of one partition, or null when the topic or partition is unknown.</summary>
    public PartitionMetadata? GetPartition(string topic, int partition)
    {
        if (!Topics.TryGetValue(topic, out TopicMetadata? t)) return null;
        // Partitions are ordered by index and nearly always dense, so the index is usually the position.
        if ((uint)partition < (uint)t.Partitions.Count && t.Partitions[partition].Partition == partition) return t.Partitions[partition];
        foreach (PartitionMetadata p in t.Partitions)
            if (p.Partition == partition) return p;
        return null;
    }

    /// <summary>
    /// A copy in which <paramref name="topic"/>-<paramref name="partition"/> is led by <paramref name="leaderId"/> at
    /// <paramref name="leaderEpoch"/> (a KIP-951 hint from a Produce or Fetch answer), with <paramref name="broker"/> added
    /// or its address updated; the rest, <see cref="RequestedAt"/> included, stays. Null when the partition is not cached.
    /// </summary>
    public ClusterMetadata? WithLeader(string topic, int partition, int leaderId, int leaderEpoch, BrokerMetadata? broker)
    {
        if (!Topics.TryGetValue(topic, out TopicMetadata? t) || GetPartition(topic, partition) is not { } old) return null;
        var partitions = t.Partitions.Select(p => p.Partition == partition ? old with { LeaderId = leaderId, LeaderEpoch = leaderEpoch } : p).ToArray();
        var topics = Topics.ToDictionary(StringComparer.Ordinal);
        topics[topic] = t with { Partitions = partitions };
        var brokers = Brokers.ToDictionary();
        if (broker is not null) brokers[broker.NodeId] = broker;
        return new ClusterMetadata(ClusterId, ControllerId, brokers.ToFrozenDictionary(), topics.ToFrozenDictionary(StringComparer.Ordinal), SourceNodeId) { RequestedAt = RequestedAt };
    }

    /// <summary>Builds a snapshot from a Metadata response.</summary>
    public static ClusterMetadata FromResponse(MetadataResponse response, int sourceNodeId)
    {
        ArgumentNullException.ThrowIfNull(response);
        var brokers = new Dictionary<int, BrokerMetadata>();
        foreach (MetadataResponse.MetadataResponseBroker b in response.Brokers)
            brokers[b.NodeId] = new BrokerMetadata(b.NodeId, new BrokerEndpoint(b.Host, b.Port), b.Rack);
        var topics = new Dictionary<string, TopicMetadata>(StringComparer.Ordinal);
        foreach (MetadataResponse.MetadataResponseTopic t in response.Topics)
        {
            if (t.Name is null) continue;
            var partitions = t.Partitions
                .Select(p => new PartitionMetadata(t.Name, p.PartitionIndex, p.LeaderId, p.LeaderEpoch, p.ReplicaNodes, p.IsrNodes, p.OfflineReplicas, (ErrorCode)p.ErrorCode))
                .OrderBy(p => p.Partition)
                .ToArray();
            topics[t.Name] = new TopicMetadata(t.Name, t.TopicId, t.IsInternal, (ErrorCode)t.ErrorCode, partitions);
        }
        return new ClusterMetadata(response.ClusterId, response.ControllerId, brokers.ToFrozenDictionary(), topics.ToFrozenDictionary(StringComparer.Ordinal), sourceNodeId);
    }
}

/// <summary>A broker as listed in the metadata.</summary>
/// <param name="NodeId">The broker's node id.</param>
/// <param name="Endpoint">Its address.</param>
/// <param name="Rack">Its rack, if configured.</param>
public sealed record BrokerMetadata(int NodeId, BrokerEndpoint Endpoint, string? Rack);

/// <summary>A topic as listed in the metadata.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="TopicId">The topic id (all zeros from brokers that predate topic ids).</param>
/// <param name="IsInternal">True for internal topics such as <c>__consumer_offsets</c>.</param>
/// <param name="Error">The topic-level error, <see cref="ErrorCode.None"/> when the topic is usable.</param>
/// <param name="Partitions">Partitions ordered by index.</param>
public sealed record TopicMetadata(string Name, Guid TopicId, bool IsInternal, ErrorCode Error, IReadOnlyList<PartitionMetadata> Partitions);

/// <summary>A partition as listed in the metadata.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition index.</param>
/// <param name="LeaderId">The leader's node id, or -1 when there is none.</param>
/// <param name="LeaderEpoch">The leader epoch, or -1 when unknown.</param>
/// <param name="Replicas">Node ids of all replicas.</param>
/// <param name="InSyncReplicas">Node ids of the in-sync replicas.</param>
/// <param name="OfflineReplicas">Node ids of the offline replicas.</param>
/// <param name="Error">The partition-level error, <see cref="ErrorCode.None"/> when healthy.</param>
public sealed record PartitionMetadata(string Topic, int Partition, int LeaderId, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> InSyncReplicas, IReadOnlyList<int> OfflineReplicas, ErrorCode Error);
