using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol;

namespace KafkaNative.Client.Admin;

/// <summary>
/// Manages topics, configurations and groups, and looks up or trims partition offsets. Every method
/// is asynchronous and cancellable; broker errors surface as <see cref="KafkaErrorException"/>
/// carrying the <see cref="ErrorCode"/> (check <see cref="KafkaErrorException.IsRetriable"/>).
/// When several items fail, the exception's code is the first failure's and its message lists them all.
/// </summary>
/// <remarks>
/// The admin client keeps a lease on each broker it talked to, so repeated calls reuse connections;
/// disposing it releases them (and the cluster client, when it created that).
/// </remarks>
public sealed class KafkaAdminClient : IAsyncDisposable
{
    // Leader-routed operations retry partitions whose leader moved this many times, refreshing metadata in between.
    private const int MaxAttempts = 3;

    // DescribeConfigs' ConfigSource for a value no one set (Kafka's DEFAULT_CONFIG).
    private const sbyte DefaultConfigSource = 5;

    private readonly KafkaCluster _cluster;
    private readonly bool _ownsCluster;
    private readonly Dictionary<int, BrokerLease> _leases = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Creates an admin client with its own cluster client.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public KafkaAdminClient(KafkaClientOptions options)
        : this(new KafkaCluster(options), ownsCluster: true)
    {
    }

    /// <summary>Creates an admin client over a cluster client shared with others; disposing the admin client leaves it open.</summary>
    internal KafkaAdminClient(KafkaCluster cluster)
        : this(cluster ?? throw new ArgumentNullException(nameof(cluster)), ownsCluster: false)
    {
    }

    private KafkaAdminClient(KafkaCluster cluster, bool ownsCluster)
    {
        _cluster = cluster;
        _ownsCluster = ownsCluster;
    }

    /// <summary>The cluster client this admin client uses.</summary>
    internal KafkaCluster Cluster => _cluster;

    private TimeSpan BrokerTimeout => _cluster.Options.RequestTimeout / 2;

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

    /// <summary>Describes the configuration of a topic, broker or other resource.</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">The resource does not exist or may not be described.</exception>
    public async Task<IReadOnlyList<ConfigEntry>> DescribeConfigsAsync(ConfigResource resource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource.Name);
        var request = new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = (sbyte)resource.Type, ResourceName = resource.Name, ConfigurationKeys = null }],
        };
        KafkaBroker broker = await BrokerForAsync(resource, cancellationToken).ConfigureAwait(false);
        DescribeConfigsResponse response = await broker.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(request, cancellationToken).ConfigureAwait(false);
        DescribeConfigsResponse.DescribeConfigsResult result = response.Results.SingleOrDefault()
            ?? throw new KafkaProtocolException($"DescribeConfigs answered {response.Results.Count} results for one resource", "Results");
        KafkaErrorException.ThrowIfError(result.ErrorCode, $"DescribeConfigs {resource.Type} {resource.Name}", result.ErrorMessage);
        // IsDefault is on the wire in v0 only; from v1 a default is the entry whose ConfigSource is DEFAULT_CONFIG (absent, -1, in v0).
        return result.Configs.Select(c => new ConfigEntry(c.Name, c.Value, c.ReadOnly, c.IsDefault || c.ConfigSource == DefaultConfigSource, c.IsSensitive)).ToList();
    }

    /// <summary>Changes configuration keys of a resource; keys not mentioned keep their values (IncrementalAlterConfigs).</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="alterations">The changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">The change was rejected (INVALID_CONFIG…).</exception>
    public async Task AlterConfigsAsync(ConfigResource resource, IEnumerable<ConfigAlteration> alterations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource.Name);
        ArgumentNullException.ThrowIfNull(alterations);
        var request = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)resource.Type,
                    ResourceName = resource.Name,
                    Configs = alterations.Select(a => new IncrementalAlterConfigsRequest.AlterableConfig { Name = a.Name, Value = a.Value, ConfigOperation = (sbyte)a.Operation }).ToList(),
                },
            ],
        };
        KafkaBroker broker = await BrokerForAsync(resource, cancellationToken).ConfigureAwait(false);
        IncrementalAlterConfigsResponse response = await broker.SendAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowIfAnyFailed("AlterConfigs", response.Responses.Select(r => (r.ResourceName, r.ErrorCode, r.ErrorMessage)));
    }

    /// <summary>Lists the groups of every broker, ordered by group id.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A broker failed to list its groups.</exception>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await _cluster.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        var groups = new Dictionary<string, GroupListing>();
        foreach (int nodeId in metadata.Brokers.Keys.Order())
        {
            KafkaBroker broker = await BrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
            ListGroupsResponse response = await broker.SendAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest(), cancellationToken).ConfigureAwait(false);
            KafkaErrorException.ThrowIfError(response.ErrorCode, $"ListGroups on broker {nodeId}");
            foreach (ListGroupsResponse.ListedGroup g in response.Groups)
                groups[g.GroupId] = new GroupListing(g.GroupId, g.ProtocolType, NullIfEmpty(g.GroupState), NullIfEmpty(g.GroupType));
        }
        return groups.Values.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Describes groups, asking each group's coordinator.</summary>
    /// <param name="groupIds">The groups.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A group could not be described (GROUP_ID_NOT_FOUND, COORDINATOR_NOT_AVAILABLE…).</exception>
    public async Task<IReadOnlyList<GroupDescription>> DescribeGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        var descriptions = new List<GroupDescription>();
        foreach (string groupId in groupIds)
        {
            KafkaBroker coordinator = await CoordinatorAsync(groupId, cancellationToken).ConfigureAwait(false);
            DescribeGroupsResponse response = await coordinator.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(
                new DescribeGroupsRequest { Groups = [groupId] }, cancellationToken).ConfigureAwait(false);
            foreach (DescribeGroupsResponse.DescribedGroup g in response.Groups)
            {
                KafkaErrorException.ThrowIfError(g.ErrorCode, $"DescribeGroups {g.GroupId}");
                descriptions.Add(new GroupDescription(g.GroupId, g.GroupState, g.ProtocolType, g.ProtocolData,
                    g.Members.Select(m => new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost)).ToList()));
            }
        }
        return descriptions;
    }

    /// <summary>Looks up offsets (earliest, latest, or by timestamp) on each partition's leader.</summary>
    /// <param name="partitions">What to look up for each partition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A partition's lookup failed even after retrying on its new leader.</exception>
    public Task<IReadOnlyDictionary<TopicPartition, ListedOffset>> ListOffsetsAsync(IReadOnlyDictionary<TopicPartition, OffsetSpec> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return PerLeaderAsync<OffsetSpec, ListedOffset>("ListOffsets", partitions, async (broker, items, ct) =>
        {
            var request = new ListOffsetsRequest { ReplicaId = Sentinels.ClientReplicaId, TimeoutMs = (int)BrokerTimeout.TotalMilliseconds };
            foreach (IGrouping<string, KeyValuePair<TopicPartition, OffsetSpec>> topic in items.GroupBy(i => i.Key.Topic))
            {
                request.Topics.Add(new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = topic.Key,
                    Partitions = topic.Select(p => new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = p.Key.Partition, Timestamp = p.Value.Timestamp }).ToList(),
                });
            }
            ListOffsetsResponse response = await broker.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(request, ct).ConfigureAwait(false);
            return response.Topics.SelectMany(t => t.Partitions.Select(p => (
                new TopicPartition(t.Name, p.PartitionIndex),
                (ErrorCode)p.ErrorCode,
                new ListedOffset(p.Offset >= 0 || p.OldStyleOffsets.Count == 0 ? p.Offset : p.OldStyleOffsets[0], p.Timestamp, p.LeaderEpoch)))).ToList();
        }, cancellationToken);
    }

    /// <summary>Deletes records before the given offsets (-1: up to the high watermark) and returns the new low watermarks.</summary>
    /// <param name="beforeOffsets">For each partition, the first offset to keep.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KafkaErrorException">A partition's deletion failed even after retrying on its new leader.</exception>
    public Task<IReadOnlyDictionary<TopicPartition, long>> DeleteRecordsAsync(IReadOnlyDictionary<TopicPartition, long> beforeOffsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(beforeOffsets);
        return PerLeaderAsync<long, long>("DeleteRecords", beforeOffsets, async (broker, items, ct) =>
        {
            var request = new DeleteRecordsRequest { TimeoutMs = (int)BrokerTimeout.TotalMilliseconds };
            foreach (IGrouping<string, KeyValuePair<TopicPartition, long>> topic in items.GroupBy(i => i.Key.Topic))
            {
                request.Topics.Add(new DeleteRecordsRequest.DeleteRecordsTopic
                {
                    Name = topic.Key,
                    Partitions = topic.Select(p => new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = p.Key.Partition, Offset = p.Value }).ToList(),
                });
            }
            DeleteRecordsResponse response = await broker.SendAsync<DeleteRecordsRequest, DeleteRecordsResponse>(request, ct).ConfigureAwait(false);
            return response.Topics.SelectMany(t => t.Partitions.Select(p =>
                (new TopicPartition(t.Name, p.PartitionIndex), (ErrorCode)p.ErrorCode, p.LowWatermark))).ToList();
        }, cancellationToken);
    }

    /// <summary>
    /// Sends per-partition work to each partition's leader. Partitions whose leader moved (or whose
    /// leader could not be reached) are retried on the new leader after a metadata refresh.
    /// </summary>
    private async Task<IReadOnlyDictionary<TopicPartition, TResult>> PerLeaderAsync<TInput, TResult>(
        string operation,
        IReadOnlyDictionary<TopicPartition, TInput> input,
        Func<KafkaBroker, List<KeyValuePair<TopicPartition, TInput>>, CancellationToken, Task<List<(TopicPartition Partition, ErrorCode Error, TResult Result)>>> send,
        CancellationToken cancellationToken)
    {
        var results = new Dictionary<TopicPartition, TResult>();
        var failures = new List<(string, short, string?)>();
        List<KeyValuePair<TopicPartition, TInput>> pending = input.ToList();
        for (int attempt = 1; pending.Count > 0; attempt++)
        {
            bool last = attempt == MaxAttempts;
            var retry = new List<KeyValuePair<TopicPartition, TInput>>();
            var byLeader = new Dictionary<int, List<KeyValuePair<TopicPartition, TInput>>>();
            foreach (KeyValuePair<TopicPartition, TInput> item in pending)
            {
                TopicMetadata topic = await _cluster.GetTopicAsync(item.Key.Topic, cancellationToken).ConfigureAwait(false);
                PartitionMetadata? partition = topic.Partitions.FirstOrDefault(p => p.Partition == item.Key.Partition);
                ErrorCode error = topic.Error != ErrorCode.None ? topic.Error : partition is null ? ErrorCode.UnknownTopicOrPartition : partition.LeaderId < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.None;
                if (error == ErrorCode.None)
                {
                    if (!byLeader.TryGetValue(partition!.LeaderId, out var list)) byLeader[partition.LeaderId] = list = new();
                    list.Add(item);
                }
                else if (!last && error.IsRetriable()) retry.Add(item);
                else failures.Add((item.Key.ToString(), (short)error, null));
            }

            foreach ((int leader, List<KeyValuePair<TopicPartition, TInput>> items) in byLeader)
            {
                List<(TopicPartition Partition, ErrorCode Error, TResult Result)> answers;
                try
                {
                    KafkaBroker broker = await BrokerAsync(leader, cancellationToken).ConfigureAwait(false);
                    answers = await send(broker, items, cancellationToken).ConfigureAwait(false);
                }
                catch (KafkaErrorException exception) when (!last && exception.IsRetriable)
                {
                    retry.AddRange(items);
                    continue;
                }
                foreach ((TopicPartition partition, ErrorCode error, TResult result) in answers)
                {
                    if (error == ErrorCode.None) results[partition] = result;
                    else if (!last && KafkaCluster.IsStaleMetadataError(error)) retry.Add(items.First(i => i.Key == partition));
                    else failures.Add((partition.ToString(), (short)error, null));
                }
            }

            pending = retry;
            if (pending.Count > 0) await _cluster.RefreshMetadataAsync(cancellationToken).ConfigureAwait(false);
        }
        ThrowIfAnyFailed(operation, failures);
        return results;
    }

    private async ValueTask<KafkaBroker> ControllerAsync(CancellationToken cancellationToken)
    {
        ClusterMetadata metadata = await _cluster.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        // KRaft brokers forward controller requests, so any broker will do when the controller is not listed.
        int nodeId = metadata.Brokers.ContainsKey(metadata.ControllerId) ? metadata.ControllerId : metadata.Brokers.Keys.Min();
        return await BrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<KafkaBroker> BrokerForAsync(ConfigResource resource, CancellationToken cancellationToken)
    {
        // Broker and broker-logger configs live on that broker; anything else can be asked anywhere.
        if (resource.Type is ConfigResourceType.Broker or ConfigResourceType.BrokerLogger && int.TryParse(resource.Name, out int nodeId))
            return await BrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
        return await ControllerAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<KafkaBroker> CoordinatorAsync(string groupId, CancellationToken cancellationToken)
    {
        KafkaBroker any = await ControllerAsync(cancellationToken).ConfigureAwait(false);
        BrokerConnection connection = await any.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Negotiate<FindCoordinatorRequest>();
        // Version 4 batches keys in CoordinatorKeys; older versions take a single Key.
        var request = version >= 4 ? new FindCoordinatorRequest { CoordinatorKeys = [groupId] } : new FindCoordinatorRequest { Key = groupId };
        FindCoordinatorResponse response = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(request, new SendOptions(MaxVersion: version), cancellationToken).ConfigureAwait(false);
        int nodeId;
        if (version >= 4)
        {
            FindCoordinatorResponse.Coordinator coordinator = response.Coordinators.SingleOrDefault()
                ?? throw new KafkaProtocolException($"FindCoordinator answered {response.Coordinators.Count} coordinators for one key", "Coordinators");
            KafkaErrorException.ThrowIfError(coordinator.ErrorCode, $"FindCoordinator for group {groupId}", coordinator.ErrorMessage);
            nodeId = coordinator.NodeId;
        }
        else
        {
            KafkaErrorException.ThrowIfError(response.ErrorCode, $"FindCoordinator for group {groupId}", response.ErrorMessage);
            nodeId = response.NodeId;
        }
        return await BrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<KafkaBroker> BrokerAsync(int nodeId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_leases.TryGetValue(nodeId, out BrokerLease? held)) return held.Broker;
        }
        BrokerLease lease = await _cluster.AcquireBrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_disposed && _leases.TryAdd(nodeId, lease)) return lease.Broker;
            if (_leases.TryGetValue(nodeId, out BrokerLease? raced))
            {
                lease.Dispose();
                return raced.Broker;
            }
        }
        lease.Dispose();
        throw new ObjectDisposedException(nameof(KafkaAdminClient));
    }

    private static void ThrowIfAnyFailed(string operation, IEnumerable<(string Name, short Error, string? Message)> outcomes)
    {
        var failed = outcomes.Where(o => o.Error != 0).ToList();
        if (failed.Count == 0) return;
        if (failed.Count == 1)
            throw new KafkaErrorException((ErrorCode)failed[0].Error, $"{operation} {failed[0].Name}", failed[0].Message);
        string details = string.Join("; ", failed.Select(f => $"{f.Name}: {((ErrorCode)f.Error).Name()}{(string.IsNullOrEmpty(f.Message) ? "" : $" ({f.Message})")}"));
        throw new KafkaErrorException((ErrorCode)failed[0].Error, $"{operation} failed for {failed.Count} items: {details}");
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>Releases the broker leases, and disposes the cluster client if this admin client created it.</summary>
    public async ValueTask DisposeAsync()
    {
        BrokerLease[] leases;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            leases = [.. _leases.Values];
            _leases.Clear();
        }
        foreach (BrokerLease lease in leases) lease.Dispose();
        if (_ownsCluster) await _cluster.DisposeAsync().ConfigureAwait(false);
    }
}
