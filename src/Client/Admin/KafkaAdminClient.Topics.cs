using KafkaNative.Client;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol;

namespace KafkaNative.Admin;

// Topics and the cluster: create, delete, add partitions, list, describe.
public sealed partial class KafkaAdminClient
{
    /// <summary>Creates topics.</summary>
    /// <param name="topics">The topics to create.</param>
    /// <param name="validateOnly">When true the broker only checks that the topics could be created.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A topic could not be created (TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR…).</exception>
    public async Task CreateTopicsAsync(IEnumerable<NewTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var request = new CreateTopicsRequest { TimeoutMs = (int)BrokerTimeout.TotalMilliseconds, ValidateOnly = validateOnly };
        foreach (NewTopic topic in topics)
        {
            ArgumentException.ThrowIfNullOrEmpty(topic.Name, nameof(topics));
            request.Topics.Add(new CreateTopicsRequest.CreatableTopic
            {
                Name = topic.Name,
                NumPartitions = topic.Partitions,
                ReplicationFactor = topic.ReplicationFactor,
                Configs = topic.Configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value }).ToList(),
            });
        }
        if (request.Topics.Count == 0) return;
        KafkaBroker controller = await ControllerAsync(cancellationToken).ConfigureAwait(false);
        CreateTopicsResponse response = await controller.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowIfAnyFailed("CreateTopics", response.Topics.Select(t => (t.Name, t.ErrorCode, t.ErrorMessage)));
    }

    /// <summary>Deletes topics by name.</summary>
    /// <param name="topics">The topics to delete.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A topic could not be deleted (UNKNOWN_TOPIC_OR_PARTITION…).</exception>
    public async Task DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        List<string> names = topics.ToList();
        if (names.Count == 0) return;
        KafkaBroker controller = await ControllerAsync(cancellationToken).ConfigureAwait(false);
        BrokerConnection connection = await controller.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Negotiate<DeleteTopicsRequest>();
        var request = new DeleteTopicsRequest { TimeoutMs = (int)BrokerTimeout.TotalMilliseconds };
        // Version 6 names topics in Topics (which can carry ids); older versions in TopicNames.
        if (version >= 6) request.Topics = names.Select(n => new DeleteTopicsRequest.DeleteTopicState { Name = n }).ToList();
        else request.TopicNames = names;
        DeleteTopicsResponse response = await connection.SendAsync<DeleteTopicsRequest, DeleteTopicsResponse>(request, new SendOptions(MaxVersion: version), cancellationToken).ConfigureAwait(false);
        ThrowIfAnyFailed("DeleteTopics", response.Responses.Select(r => (r.Name ?? r.TopicId.ToString(), r.ErrorCode, r.ErrorMessage)));
    }

    /// <summary>Raises the partition counts of topics.</summary>
    /// <param name="newTotals">For each topic, the new total number of partitions.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A topic's partitions could not be added (INVALID_PARTITIONS…).</exception>
    public async Task CreatePartitionsAsync(IReadOnlyDictionary<string, int> newTotals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newTotals);
        if (newTotals.Count == 0) return;
        var request = new CreatePartitionsRequest
        {
            TimeoutMs = (int)BrokerTimeout.TotalMilliseconds,
            Topics = newTotals.Select(t => new CreatePartitionsRequest.CreatePartitionsTopic { Name = t.Key, Count = t.Value, Assignments = null }).ToList(),
        };
        KafkaBroker controller = await ControllerAsync(cancellationToken).ConfigureAwait(false);
        CreatePartitionsResponse response = await controller.SendAsync<CreatePartitionsRequest, CreatePartitionsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowIfAnyFailed("CreatePartitions", response.Results.Select(r => (r.Name, r.ErrorCode, r.ErrorMessage)));
    }

    /// <summary>Lists every topic with its partitions, ordered by name.</summary>
    /// <param name="includeInternal">Whether to include internal topics such as <c>__consumer_offsets</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<TopicMetadata>> ListTopicsAsync(bool includeInternal = false, CancellationToken cancellationToken = default)
    {
        var request = new MetadataRequest { Topics = null, AllowAutoTopicCreation = false };
        MetadataResponse response = await _cluster.SendToAnyBrokerAsync<MetadataRequest, MetadataResponse>(request, cancellationToken).ConfigureAwait(false);
        return ClusterMetadata.FromResponse(response, Sentinels.NoNode).Topics.Values
            .Where(t => includeInternal || !t.IsInternal)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Describes topics by name; a topic that does not exist comes back with UNKNOWN_TOPIC_OR_PARTITION in <see cref="TopicMetadata.Error"/>.</summary>
    /// <param name="topics">The topics to describe.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<TopicMetadata>> DescribeTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var request = new MetadataRequest
        {
            Topics = topics.Select(t => new MetadataRequest.MetadataRequestTopic { Name = t }).ToList(),
            AllowAutoTopicCreation = false,
        };
        if (request.Topics.Count == 0) return [];
        MetadataResponse response = await _cluster.SendToAnyBrokerAsync<MetadataRequest, MetadataResponse>(request, cancellationToken).ConfigureAwait(false);
        return ClusterMetadata.FromResponse(response, Sentinels.NoNode).Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Describes the cluster: its id, controller and live brokers.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await _cluster.RefreshMetadataAsync(cancellationToken).ConfigureAwait(false);
        KafkaBroker broker = await BrokerAsync(metadata.SourceNodeId >= 0 ? metadata.SourceNodeId : metadata.Brokers.Keys.First(), cancellationToken).ConfigureAwait(false);
        BrokerConnection connection = await broker.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!connection.Versions.IsSupported<DescribeClusterRequest>())
            return new ClusterDescription(metadata.ClusterId, metadata.ControllerId, metadata.Brokers.Values.OrderBy(b => b.NodeId).ToList());

        DescribeClusterResponse response = await connection.SendAsync<DescribeClusterRequest, DescribeClusterResponse>(new DescribeClusterRequest(), cancellationToken).ConfigureAwait(false);
        KafkaErrorException.ThrowIfError(response.ErrorCode, "DescribeCluster", response.ErrorMessage);
        return new ClusterDescription(
            response.ClusterId,
            response.ControllerId,
            response.Brokers.Select(b => new BrokerMetadata(b.BrokerId, new BrokerEndpoint(b.Host, b.Port), b.Rack)).OrderBy(b => b.NodeId).ToList());
    }
}
