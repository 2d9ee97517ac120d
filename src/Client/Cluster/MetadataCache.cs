using KafkaNative.Client.Diagnostics;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace KafkaNative.Client;

/// <summary>
/// The latest cluster metadata and the refreshes that renew it. Refreshes are coalesced (callers
/// share the one in flight, or the single one queued behind it), rate limited (starts are at least
/// <see cref="KafkaClientOptions.MetadataMinRefreshInterval"/> apart) and behind a circuit breaker
/// (after repeated failures refreshes fail fast for a while). A refresh tries brokers one after
/// another, never the one that failed the previous attempt first.
/// </summary>
internal sealed partial class MetadataCache : IAsyncDisposable
{
    private readonly KafkaClientOptions _options;
    private readonly BrokerPool _pool;
    private readonly IReadOnlyList<BrokerEndpoint> _bootstrap;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _breaker;
    private readonly MetadataRecovery _recovery;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _lock = new();
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private int _topicsGeneration;
    private Task<ClusterMetadata>? _current;
    private int _currentGeneration;
    private Task<ClusterMetadata>? _queued;
    private long _lastStart;
    private (int NodeId, BrokerEndpoint Endpoint)? _lastFailed;
    private BrokerLease? _metadataBroker;
    private ClusterMetadata? _metadata;
    private KafkaConnectionException? _unreachable;

    public MetadataCache(KafkaClientOptions options, BrokerPool pool)
    {
        _options = options;
        _pool = pool;
        _bootstrap = BrokerEndpoint.ParseList(options.BootstrapServers);
        _logger = options.LoggerFactory.CreateLogger<MetadataCache>();
        _recovery = new MetadataRecovery(options);
        _breaker = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromTicks(Math.Max(options.ReconnectBackoffMax.Ticks, TimeSpan.TicksPerSecond)),
                ShouldHandle = new PredicateBuilder().Handle<KafkaException>(),
            })
            .Build();
    }

    /// <summary>The latest snapshot, or null before the first refresh succeeded.</summary>
    public ClusterMetadata? Current => Volatile.Read(ref _metadata);

    /// <summary>The error of the latest refresh that reached no broker, or null since a refresh succeeded (or before any failed).</summary>
    public KafkaConnectionException? Unreachable => Volatile.Read(ref _unreachable);

    /// <summary>When the latest snapshot was taken (a timestamp of <see cref="KafkaClientOptions.TimeProvider"/>).</summary>
    public long CurrentTimestamp { get; private set; }

    /// <summary>Adds topics to those every refresh asks about. Returns true if any was new.</summary>
    public bool AddTopics(IEnumerable<string> topics)
    {
        bool added = false;
        lock (_lock)
        {
            foreach (string topic in topics) added |= _topics.Add(topic);
            if (added) _topicsGeneration++;
        }
        return added;
    }

    /// <summary>Refreshes the metadata, sharing a refresh with concurrent callers.</summary>
    public Task<ClusterMetadata> RefreshAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            // The running refresh covers this caller unless topics were added after it started.
            if (_current is { IsCompleted: false } running && _currentGeneration >= _topicsGeneration)
                return running.WaitAsync(cancellationToken);
            // A queued refresh reads the topics when it starts, so it covers everyone who joins it.
            if (_queued is not null) return _queued.WaitAsync(cancellationToken);
            if (_current is { IsCompleted: false } previous)
            {
                // Task.Run: the queued refresh takes this lock, so it must not start running inside it.
                _queued = Task.Run(() => RunAfterAsync(previous));
                return _queued.WaitAsync(cancellationToken);
            }
            _currentGeneration = _topicsGeneration;
            _current = Task.Run(RunAsync);
            return _current.WaitAsync(cancellationToken);
        }
    }

    private async Task<ClusterMetadata> RunAfterAsync(Task<ClusterMetadata> previous)
    {
        await previous.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        Task<ClusterMetadata> self;
        lock (_lock)
        {
            self = _queued!;
            _queued = null;
            _current = self;
            _currentGeneration = _topicsGeneration;
        }
        return await RunAsync().ConfigureAwait(false);
    }

    private async Task<ClusterMetadata> RunAsync()
    {
        CancellationToken token = _disposed.Token;
        TimeSpan wait = _lastStart == 0 ? TimeSpan.Zero : _options.MetadataMinRefreshInterval - _options.TimeProvider.GetElapsedTime(_lastStart);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _options.TimeProvider, token).ConfigureAwait(false);
        _lastStart = _options.TimeProvider.GetTimestamp();
        try
        {
            return await _breaker.ExecuteAsync(static (self, ct) => new ValueTask<ClusterMetadata>(self.FetchAsync(ct)), this, token).ConfigureAwait(false);
        }
        catch (BrokenCircuitException exception)
        {
            var failure = new KafkaConnectionException(
                $"Metadata refreshes are suspended after repeated failures (circuit breaker open); retry after {exception.RetryAfter?.TotalMilliseconds ?? 0:0} ms.", exception);
            Log.MetadataRefreshFailed(_logger, failure);
            throw failure;
        }
        catch (KafkaException exception)
        {
            Log.MetadataRefreshFailed(_logger, exception);
            throw;
        }
    }

    private async Task<ClusterMetadata> FetchAsync(CancellationToken cancellationToken)
    {
        var request = new MetadataRequest { AllowAutoTopicCreation = _options.AllowAutoTopicCreation };
        lock (_lock)
        {
            foreach (string topic in _topics) request.Topics!.Add(new MetadataRequest.MetadataRequestTopic { Name = topic });
        }

        _recovery.OnAttempt();
        string reason = "";
        bool rebootstrap = Current is not null && _recovery.IsDue(out reason);
        List<(int NodeId, BrokerEndpoint Endpoint)> candidates = rebootstrap ? Rebootstrap(reason) : Candidates();
        Exception? lastFailure = null;
        int tried = 0;
        for (int i = 0; i < candidates.Count; i++)
        {
            (int nodeId, BrokerEndpoint endpoint) = candidates[i];
            tried++;
            BrokerLease lease = _pool.Acquire(nodeId, endpoint);
            // A known broker that keeps the refresh waiting past the rebootstrap trigger is given up on.
            TimeSpan? untilTrigger = !rebootstrap && nodeId >= 0 ? _recovery.UntilTrigger() : null;
            using CancellationTokenSource? triggerTimer = untilTrigger is { } left ? new CancellationTokenSource(left, _options.TimeProvider) : null;
            using CancellationTokenSource? trigger = triggerTimer is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, triggerTimer.Token);
            try
            {
                long requestedAt = _options.TimeProvider.GetTimestamp();
                MetadataResponse response = await lease.Broker.SendAsync<MetadataRequest, MetadataResponse>(request, trigger?.Token ?? cancellationToken).ConfigureAwait(false);
                if (response.Topics.Any(t => t.ErrorCode == (short)ErrorCode.RebootstrapRequired))
                {
                    // KIP-1102: this broker says the client's view of the cluster is stale.
                    lease.Dispose();
                    lastFailure = new KafkaErrorException(ErrorCode.RebootstrapRequired, $"Metadata from broker {nodeId}", (string?)null);
                    if (!_recovery.Enabled || rebootstrap) continue;
                    _recovery.Require();
                    (rebootstrap, candidates, i) = (true, Rebootstrap("a broker answered REBOOTSTRAP_REQUIRED"), -1);
                    continue;
                }
                int source = nodeId;
                if (nodeId < 0)
                {
                    // A bootstrap server that turns out to be a listed broker continues under its node id,
                    // so the bootstrap connection is not kept open beside the broker's own.
                    MetadataResponse.MetadataResponseBroker? self = response.Brokers.FirstOrDefault(b => new BrokerEndpoint(b.Host, b.Port) == endpoint);
                    if (self is not null)
                    {
                        source = self.NodeId;
                        BrokerLease bootstrap = lease;
                        lease = _pool.Acquire(self.NodeId, endpoint);
                        bootstrap.Dispose();
                    }
                }
                ClusterMetadata metadata = ClusterMetadata.FromResponse(response, source);
                metadata.RequestedAt = requestedAt;
                metadata = Publish(metadata, lease);
                Log.MetadataRefreshed(_logger, source, metadata.Brokers.Count, metadata.Topics.Count);
                return metadata;
            }
            catch (Exception) when (triggerTimer is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
            {
                lease.Dispose();
                lastFailure = new KafkaTimeoutException($"Broker {nodeId} gave no metadata before the rebootstrap trigger passed.");
                (rebootstrap, candidates, i) = (true, Rebootstrap($"broker {nodeId} kept the refresh waiting past MetadataRecoveryRebootstrapTrigger"), -1);
            }
            catch (Exception exception) when (exception is KafkaException && !cancellationToken.IsCancellationRequested)
            {
                lease.Dispose();
                lastFailure = exception;
                lock (_lock) _lastFailed = (nodeId, endpoint);
                Log.MetadataBrokerFailed(_logger, exception, nodeId);
            }
        }
        var unreachable = new KafkaConnectionException($"Metadata refresh failed on all {tried} brokers tried; the last error: {lastFailure?.Message}", lastFailure);
        TellUnreachable(unreachable);
        throw unreachable;
    }

    /// <summary>
    /// Candidates of a rebootstrap: the bootstrap servers first, each on a new connection (so their names are resolved
    /// again), then the known brokers in case the bootstrap servers are the ones gone. The metadata that answers
    /// replaces the broker set.
    /// </summary>
    private List<(int NodeId, BrokerEndpoint Endpoint)> Rebootstrap(string reason)
    {
        Log.Rebootstrapping(_logger, reason);
        BrokerLease? bootstrapLease = null;
        lock (_lock)
        {
            if (_metadataBroker is { Broker.NodeId: < 0 })
            {
                bootstrapLease = _metadataBroker;
                _metadataBroker = null;
            }
        }
        bootstrapLease?.Dispose();
        var candidates = new List<(int, BrokerEndpoint)>();
        for (int i = 0; i < _bootstrap.Count; i++) candidates.Add((-1 - i, _bootstrap[i]));
        foreach ((int nodeId, BrokerEndpoint endpoint) in Candidates())
            if (nodeId >= 0 && !candidates.Any(c => c.Item2 == endpoint)) candidates.Add((nodeId, endpoint));
        return candidates;
    }

    private void TellUnreachable(KafkaConnectionException error)
    {
        Volatile.Write(ref _unreachable, error);
        try
        {
            _options.OnClusterUnreachable?.Invoke(error);
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "The OnClusterUnreachable handler threw; ignored");
        }
    }

    /// <summary>
    /// Brokers to ask, best first: the one that answered last time (its connection is open), the other
    /// known brokers in random order, then the bootstrap servers; a broker whose connection has requests
    /// awaiting answers goes after the idle ones, since a broker answers a connection's requests one at a
    /// time (the Java client's least-loaded node): a refresh must not queue behind a produce waiting for
    /// its replicas or a long-polling fetch. The broker that failed most recently goes last.
    /// </summary>
    private List<(int NodeId, BrokerEndpoint Endpoint)> Candidates()
    {
        var candidates = new List<(int, BrokerEndpoint)>();
        ClusterMetadata? metadata = Current;
        if (metadata is not null)
        {
            if (metadata.Brokers.TryGetValue(metadata.SourceNodeId, out BrokerMetadata? source))
                candidates.Add((source.NodeId, source.Endpoint));
            BrokerMetadata[] others = metadata.Brokers.Values.Where(b => b.NodeId != metadata.SourceNodeId).ToArray();
            Shuffle(others);
            candidates.AddRange(others.Select(b => (b.NodeId, b.Endpoint)));
        }
        // With metadata, the bootstrap servers come after every known broker failed (KIP-899), and never with
        // MetadataRecoveryStrategy.None. Bootstrap servers get negative ids: their node ids are not known before the first answer.
        for (int i = 0; i < _bootstrap.Count && (metadata is null || _recovery.Enabled); i++)
        {
            if (!candidates.Any(c => c.Item2 == _bootstrap[i])) candidates.Add((-1 - i, _bootstrap[i]));
        }
        // OrderBy is stable: idle brokers keep the order above, ahead of busy ones.
        candidates = [.. candidates.OrderBy(c => _pool.AwaitingResponses(c.Item1) > 0)];
        (int, BrokerEndpoint)? failed;
        lock (_lock) failed = _lastFailed;
        if (failed is { } f && candidates.Count > 1 && candidates.Remove(f)) candidates.Add(f);
        return candidates;
    }

    /// <summary>Shuffles with the options' random source (locked, as the backoffs lock it), or Random.Shared.</summary>
    private void Shuffle<T>(T[] items)
    {
        if (_options.Random is not { } random)
        {
            Random.Shared.Shuffle(items);
            return;
        }
        lock (random) random.Shuffle(items);
    }

    private ClusterMetadata Publish(ClusterMetadata metadata, BrokerLease lease)
    {
        BrokerLease? previous;
        lock (_lock)
        {
            // Another cluster (a rebootstrap found new brokers): what was learnt of the old one does not carry over.
            if (_metadata is { ClusterId: { } previousId } && metadata.ClusterId is { } newId && previousId != newId) _hints.Clear();
            if (_hints.Count > 0) metadata = KeepNewerHints(metadata);
            Volatile.Write(ref _metadata, metadata);
            Volatile.Write(ref _unreachable, null);
            CurrentTimestamp = _options.TimeProvider.GetTimestamp();
            _lastFailed = null;
            _recovery.OnSuccess();
            // Keep a lease on the broker that answered, so its connection stays open for the next refresh.
            previous = _metadataBroker;
            _metadataBroker = lease;
        }
        previous?.Dispose();
        return metadata;
    }

    public async ValueTask DisposeAsync()
    {
        BrokerLease? lease;
        Task? current, queued;
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested) return;
            _disposed.Cancel();
            lease = _metadataBroker;
            _metadataBroker = null;
            current = _current;
            queued = _queued;
        }
        foreach (Task? task in new[] { current, queued })
        {
            if (task is null) continue;
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Refreshes cut short by the disposal fail; nobody is left to tell.
            }
        }
        lease?.Dispose();
    }
}
