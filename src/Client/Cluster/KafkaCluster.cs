using KafkaNative.Protocol;

namespace KafkaNative.Client;

/// <summary>
/// A client's view of one Kafka cluster, shared by the producer, the consumer and the admin client:
/// bootstraps from <see cref="KafkaClientOptions.BootstrapServers"/>, caches metadata (refreshed on
/// demand and every <see cref="KafkaClientOptions.MetadataMaxAge"/>), and hands out reference-counted
/// broker leases so that all users of a broker share one connection.
/// </summary>
/// <remarks>Creating the cluster does not connect; the first call that needs metadata does.</remarks>
internal sealed class KafkaCluster : IAsyncDisposable
{
    private readonly BrokerPool _pool;
    private readonly MetadataCache _metadata;
    private readonly CancellationTokenSource _disposed = new();
    private readonly MetadataRefreshLoop _refreshLoop;

    /// <summary>Creates the cluster client.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public KafkaCluster(KafkaClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _pool = new BrokerPool(options);
        _metadata = new MetadataCache(options, _pool);
        _refreshLoop = new MetadataRefreshLoop(_metadata, options.MetadataMaxAge,
            new RetryBackoff(options.ReconnectBackoffMin, options.ReconnectBackoffMax, options.Random), options.TimeProvider,
            Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<MetadataRefreshLoop>(options.LoggerFactory));
        _refreshLoop.Start(_disposed.Token);
    }

    /// <summary>The options this cluster client was created with. Do not change them afterwards.</summary>
    public KafkaClientOptions Options { get; }

    /// <summary>The latest metadata snapshot, or null before the first refresh.</summary>
    public ClusterMetadata? Metadata => _metadata.Current;

    /// <summary>The error of the latest metadata refresh that reached no broker, or null since one succeeded.</summary>
    public KafkaConnectionException? Unreachable => _metadata.Unreachable;

    /// <summary>Number of brokers currently leased (each with at most one connection).</summary>
    public int LeasedBrokerCount => _pool.ActiveCount;

    /// <summary>
    /// True for errors that mean the client's metadata is stale (a leader moved, a topic appeared or
    /// vanished): refresh with <see cref="RefreshMetadataAsync"/> before retrying.
    /// </summary>
    public static bool IsStaleMetadataError(ErrorCode error) => error is
        ErrorCode.NotLeaderOrFollower or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable or
        ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.ReplicaNotAvailable or
        ErrorCode.KafkaStorageError or ErrorCode.NotController or ErrorCode.UnknownTopicId or ErrorCode.BrokerNotAvailable;

    /// <summary>
    /// Applies a KIP-951 leader hint from a Produce or Fetch answer (NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH with
    /// CurrentLeader, and the leader's endpoint from NodeEndpoints): a newer leader epoch updates the cached partition, and
    /// adds the broker when it is new, without a Metadata request. True when a retry may go to the cached leader now
    /// (another broker than <paramref name="failedNodeId"/>, at an epoch at least the hint's); false: refresh first.
    /// </summary>
    public bool TryApplyLeaderHint(string topic, int partition, int leaderId, int leaderEpoch, BrokerEndpoint? endpoint, int failedNodeId) =>
        _metadata.TryApplyLeaderHint(topic, partition, leaderId, leaderEpoch, endpoint, failedNodeId);

    /// <summary>The cached metadata, fetching it first if there is none yet.</summary>
    /// <exception cref="KafkaConnectionException">No broker answered.</exception>
    public ValueTask<ClusterMetadata> GetMetadataAsync(CancellationToken cancellationToken = default)
    {
        ClusterMetadata? current = _metadata.Current;
        return current is not null ? new ValueTask<ClusterMetadata>(current) : new ValueTask<ClusterMetadata>(_metadata.RefreshAsync(cancellationToken));
    }

    /// <summary>
    /// Fetches fresh metadata. Concurrent callers share one refresh, refreshes start at most once per
    /// <see cref="KafkaClientOptions.MetadataMinRefreshInterval"/>, and after repeated failures a
    /// circuit breaker fails refreshes fast for a while. Cancelling stops this caller's wait only.
    /// </summary>
    /// <exception cref="KafkaConnectionException">No broker answered, or the circuit breaker is open.</exception>
    public Task<ClusterMetadata> RefreshMetadataAsync(CancellationToken cancellationToken = default) => _metadata.RefreshAsync(cancellationToken);

    /// <summary>
    /// Metadata for <paramref name="topic"/>, which every later refresh also covers. Refreshes first when
    /// the topic is not cached, or cached with an error or a partition without a leader.
    /// </summary>
    /// <returns>The topic; check <see cref="TopicMetadata.Error"/> (UNKNOWN_TOPIC_OR_PARTITION when it does not exist).</returns>
    public async ValueTask<TopicMetadata> GetTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        bool added = _metadata.AddTopics([topic]);
        ClusterMetadata? metadata = _metadata.Current;
        if (!added && metadata is not null && metadata.Topics.TryGetValue(topic, out TopicMetadata? cached) && IsUsable(cached))
            return cached;
        metadata = await _metadata.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return metadata.Topics.TryGetValue(topic, out TopicMetadata? fresh)
            ? fresh
            : new TopicMetadata(topic, Guid.Empty, false, ErrorCode.UnknownTopicOrPartition, []);
    }

    private static bool IsUsable(TopicMetadata topic) =>
        topic.Error == ErrorCode.None && topic.Partitions.All(p => p.LeaderId >= 0);

    /// <summary>Leases broker <paramref name="nodeId"/>, refreshing metadata once if the broker is unknown.</summary>
    /// <exception cref="KafkaErrorException">BROKER_NOT_AVAILABLE: the metadata does not list the broker.</exception>
    public ValueTask<BrokerLease> AcquireBrokerAsync(int nodeId, CancellationToken cancellationToken = default) =>
        AcquireAsync(nodeId, forCoordination: false, cancellationToken);

    /// <summary>Leases the separate connection to broker <paramref name="nodeId"/> that carries a group's coordinator traffic (<see cref="KafkaBroker.ForCoordination"/>).</summary>
    /// <exception cref="KafkaErrorException">BROKER_NOT_AVAILABLE: the metadata does not list the broker.</exception>
    public ValueTask<BrokerLease> AcquireCoordinatorAsync(int nodeId, CancellationToken cancellationToken = default) =>
        AcquireAsync(nodeId, forCoordination: true, cancellationToken);

    private async ValueTask<BrokerLease> AcquireAsync(int nodeId, bool forCoordination, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        ClusterMetadata metadata = await GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        if (!metadata.Brokers.ContainsKey(nodeId))
            metadata = await RefreshMetadataAsync(cancellationToken).ConfigureAwait(false);
        if (!metadata.Brokers.TryGetValue(nodeId, out BrokerMetadata? broker))
            throw new KafkaErrorException(ErrorCode.BrokerNotAvailable, $"Broker {nodeId} is not in the cluster metadata (brokers: {string.Join(", ", metadata.Brokers.Keys.Order())}).");
        return _pool.Acquire(nodeId, broker.Endpoint, forCoordination);
    }

    /// <summary>
    /// Leases the leader of a partition. Refreshes metadata once when the leader is unknown.
    /// </summary>
    /// <exception cref="KafkaErrorException">
    /// UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE (both retriable) when there is still no leader.
    /// </exception>
    public async ValueTask<BrokerLease> AcquireLeaderAsync(string topic, int partition, CancellationToken cancellationToken = default)
    {
        TopicMetadata metadata = await GetTopicAsync(topic, cancellationToken).ConfigureAwait(false);
        if (metadata.Error != ErrorCode.None)
            throw new KafkaErrorException(metadata.Error, $"No leader for {topic}-{partition}", (string?)null);
        PartitionMetadata? p = metadata.Partitions.FirstOrDefault(x => x.Partition == partition);
        if (p is null)
            throw new KafkaErrorException(ErrorCode.UnknownTopicOrPartition, $"Topic {topic} has {metadata.Partitions.Count} partitions; {partition} is not one of them", (string?)null);
        if (p.LeaderId < 0)
            throw new KafkaErrorException(ErrorCode.LeaderNotAvailable, $"No leader for {topic}-{partition}", (string?)null);
        return await AcquireBrokerAsync(p.LeaderId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request to some broker, trying another one (never the one that just failed) when a
    /// broker cannot be reached or its connection fails. Only for requests that are safe to repeat.
    /// </summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <typeparam name="TResponse">The response type that goes with it.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="KafkaConnectionException">Every broker failed.</exception>
    public async ValueTask<TResponse> SendToAnyBrokerAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        ClusterMetadata metadata = await GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        var brokers = metadata.Brokers.Values.ToList();
        // Start where the metadata came from: that connection is known to be open.
        brokers.Sort((a, b) => (b.NodeId == metadata.SourceNodeId).CompareTo(a.NodeId == metadata.SourceNodeId));
        KafkaErrorException? last = null;
        foreach (BrokerMetadata broker in brokers)
        {
            using BrokerLease lease = _pool.Acquire(broker.NodeId, broker.Endpoint);
            try
            {
                return await lease.Broker.SendAsync<TRequest, TResponse>(request, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaErrorException exception) when (exception is KafkaConnectionException or KafkaTimeoutException)
            {
                last = exception;
            }
        }
        throw new KafkaConnectionException($"{TRequest.ApiKey} failed on all {brokers.Count} brokers; the last error: {last?.Message}", last);
    }

    /// <summary>Closes every connection. Requests still pending fail with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        try
        {
            await _refreshLoop.StopAsync().ConfigureAwait(false);
            await _metadata.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // Connections are closed whatever happened above.
            await _pool.DisposeAsync().ConfigureAwait(false);
            _disposed.Dispose();
        }
    }
}
