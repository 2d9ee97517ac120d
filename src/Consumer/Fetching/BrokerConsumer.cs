using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// Sarama's brokerConsumer (its subscriptionManager and subscriptionConsumer in one loop): one Fetch
/// for every partition subscribed to this broker, each partition's share handed to its feeder, then
/// it waits until every feeder took its share (the talk's <c>acks.Wait()</c>) and fetches again.
/// Feeders that answer "unsubscribe" (leader moved, offset out of range, slow application) are
/// dropped; a failed fetch drops every partition, each dispatcher then finds its leader again.
/// </summary>
internal sealed class BrokerConsumer : SupervisedLoop
{
    /// <summary>
    /// Highest Fetch version sent when every topic of the request has a topic id in the metadata: v13 onwards name
    /// topics by id, and Kafka fills KIP-951's leader hints (CurrentLeader, NodeEndpoints) from v16 only.
    /// </summary>
    private const short MaxFetchVersion = 17;

    /// <summary>Highest Fetch version that names topics, for a topic without an id (a broker before topic ids).</summary>
    private const short MaxFetchVersionByName = 12;

    /// <summary>Longest wait for the answer to a session close.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private static readonly Comparison<(PartitionConsumer Partition, long Offset, int Version, int LastFetchedEpoch, int CurrentLeaderEpoch)> ByTopicPartition = static (a, b) =>
    {
        int topic = string.CompareOrdinal(a.Partition.Topic, b.Partition.Topic);
        return topic != 0 ? topic : a.Partition.Partition.CompareTo(b.Partition.Partition);
    };

    private readonly ConsumerContext _context;
    private readonly ILogger _logger;
    private readonly Channel<PartitionConsumer> _incoming = Channel.CreateBounded<PartitionConsumer>(new BoundedChannelOptions(1024) { SingleReader = true });
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<PartitionConsumer> _subscriptions = [];
    private readonly List<(PartitionConsumer Partition, long Offset, int Version, int LastFetchedEpoch, int CurrentLeaderEpoch)> _fetching = [];
    private readonly Dictionary<(string Topic, int Partition), int> _fetchIndex = [];
    private readonly FetchSession _session;
    // Topic ids by name for requests, and names by id for answers at v13+, which name topics by id only.
    private readonly Dictionary<string, Guid> _topicIds = [];
    private readonly Dictionary<Guid, string> _topicNames = [];
    // The version cap of the latest request, which its session's close keeps to.
    private short _maxVersion = MaxFetchVersionByName;
    private BrokerLease? _lease;

    public BrokerConsumer(ConsumerContext context, int nodeId)
    {
        _context = context;
        _session = new FetchSession(context.Options.FetchSessions);
        NodeId = nodeId;
        _logger = context.LoggerFactory.CreateLogger<BrokerConsumer>();
    }

    public int NodeId { get; }

    /// <summary>References held by dispatchers; changed under the registry's lock.</summary>
    public int References { get; set; }

    /// <summary>Adds a partition; it is fetched from the next request on. A failed loop sends it back to its dispatcher.</summary>
    public async ValueTask SubscribeAsync(PartitionConsumer partition, CancellationToken cancellationToken)
    {
        try
        {
            await _incoming.Writer.WriteAsync(partition, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            partition.OnBrokerFailed(this);
            return;
        }
        Wake();
    }

    /// <summary>Makes an idle loop look at its partitions again (resume, seek, stop).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task RunAsync(CancellationToken stop)
    {
        var request = new FetchRequest();
        while (!stop.IsCancellationRequested)
        {
            _wake.Reader.TryRead(out _);
            while (_incoming.Reader.TryRead(out PartitionConsumer? added))
            {
                if (!added.IsStopped && added.SubscribedTo == this && !_subscriptions.Contains(added)) _subscriptions.Add(added);
            }
            _subscriptions.RemoveAll(p => p.IsStopped || p.SubscribedTo != this);

            _fetching.Clear();
            _fetchIndex.Clear();
            foreach (PartitionConsumer partition in _subscriptions)
            {
                if (partition.TryGetFetchState(out long offset, out int version, out int lastFetchedEpoch, out int currentLeaderEpoch))
                    _fetching.Add((partition, offset, version, lastFetchedEpoch, currentLeaderEpoch));
            }
            _fetching.Sort(ByTopicPartition);
            for (int i = 0; i < _fetching.Count; i++) _fetchIndex[(_fetching[i].Partition.Topic, _fetching[i].Partition.Partition)] = i;
            if (_fetching.Count == 0)
            {
                // Subscribing, resuming, seeking and stopping all wake the loop after changing state.
                await _wake.Reader.WaitToReadAsync(stop).ConfigureAwait(false);
                continue;
            }

            ResponseLease<FetchResponse> response;
            try
            {
                _lease ??= await _context.Cluster.AcquireBrokerAsync(NodeId, stop).ConfigureAwait(false);
                // LastFetchedEpoch exists from v12 on (KIP-595); a broker with less gets none (validation still runs on leader changes).
                BrokerConnection connection = await _lease.Broker.GetConnectionAsync(stop).ConfigureAwait(false);
                bool byId = BuildRequest(request, withLastFetchedEpoch: connection.Versions.Negotiate<FetchRequest>(MaxFetchVersion) >= 12);
                _maxVersion = byId ? MaxFetchVersion : MaxFetchVersionByName;
                ConsumerOptions options = _context.Options;
                var sendOptions = new SendOptions(_maxVersion, options.RequestTimeout + options.FetchMaxWait);
                response = await _lease.Broker.SendLeasedAsync<FetchRequest, FetchResponse>(request, sendOptions, stop).ConfigureAwait(false);
                if (!_session.OnResponse(response.Response))
                {
                    // The broker evicted or lost the session: fetch again at once, in full.
                    ConsumerLog.FetchSessionRefused(_logger, NodeId, request.SessionId, ((ErrorCode)response.Response.ErrorCode).Name());
                    response.Dispose();
                    continue;
                }
                if (response.Response.ErrorCode != 0)
                {
                    var error = new KafkaErrorException((ErrorCode)response.Response.ErrorCode, $"Fetch from broker {NodeId}", (string?)null);
                    response.Dispose();
                    throw error;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error) when (error is KafkaException or ObjectDisposedException or IOException or TimeoutException)
            {
                ConsumerLog.FetchFailed(_logger, error, NodeId, _subscriptions.Count);
                _session.Reset();
                foreach (PartitionConsumer partition in _subscriptions) partition.OnBrokerFailed(this);
                _subscriptions.Clear();
                _lease?.Dispose();
                _lease = null;
                continue;
            }

            await HandOutAsync(response, stop).ConfigureAwait(false);
        }
    }

    protected override void LogFault(Exception fault) => ConsumerLog.LoopFailed(_logger, fault, "fetch", $"broker {NodeId}");

    /// <summary>
    /// Every partition goes back to its dispatcher, which finds its leader again. After a crash (a bug)
    /// new partitions go elsewhere too, and the application hears of it.
    /// </summary>
    protected override async ValueTask OnStoppedAsync()
    {
        if (Fault is { } fault)
        {
            _incoming.Writer.TryComplete(fault);
            _context.Registry.OnFailed(this);
            _context.ReportError(new KafkaConsumeException(ErrorCode.UnknownServerError, null, $"Fetching from broker {NodeId} failed unexpectedly: {fault.Message}", fault));
        }
        _incoming.Writer.TryComplete();
        while (_incoming.Reader.TryRead(out PartitionConsumer? pending)) _subscriptions.Add(pending);
        foreach (PartitionConsumer partition in _subscriptions) partition.OnBrokerFailed(this);
        _subscriptions.Clear();
        if (_lease is not null) await CloseSessionAsync(_lease).ConfigureAwait(false);
        _lease?.Dispose();
        _lease = null;
    }

    /// <summary>Closes the broker's fetch session (epoch -1), best-effort and briefly: the broker evicts it in time anyway.</summary>
    private async Task CloseSessionAsync(BrokerLease lease)
    {
        if (_session.CloseRequest() is not { } close) return;
        close.MaxBytes = _context.Options.FetchMaxBytes;
        close.IsolationLevel = (sbyte)_context.Options.IsolationLevel;
        try
        {
            TimeSpan timeout = TimeSpan.FromTicks(Math.Min(_context.Options.RequestTimeout.Ticks, CloseTimeout.Ticks));
            using ResponseLease<FetchResponse> closed = await lease.Broker.SendLeasedAsync<FetchRequest, FetchResponse>(close, new SendOptions(_maxVersion, timeout), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (error is KafkaException or ObjectDisposedException or IOException or TimeoutException or OperationCanceledException)
        {
            // Best-effort: the session stays until the broker evicts it.
        }
    }

    /// <summary>Fills the request; true when every topic has an id, so that versions naming topics by id may be sent.</summary>
    private bool BuildRequest(FetchRequest request, bool withLastFetchedEpoch)
    {
        ConsumerOptions options = _context.Options;
        request.ReplicaId = Sentinels.ClientReplicaId;
        request.MaxWaitMs = (int)options.FetchMaxWait.TotalMilliseconds;
        request.MinBytes = options.FetchMinBytes;
        request.MaxBytes = options.FetchMaxBytes;
        request.IsolationLevel = (sbyte)options.IsolationLevel;
        request.RackId = options.ClientRack ?? "";
        // Ids are kept after their topics leave the request: a session's forgotten topics are named by id too.
        ClusterMetadata? metadata = _context.Cluster.Metadata;
        bool byId = true;
        string? previous = null;
        foreach ((PartitionConsumer partition, _, _, _, _) in _fetching)
        {
            if (partition.Topic == previous) continue;
            previous = partition.Topic;
            Guid id = metadata is not null && metadata.Topics.TryGetValue(partition.Topic, out TopicMetadata? known) ? known.TopicId : Guid.Empty;
            _topicIds[partition.Topic] = id;
            if (id == Guid.Empty) byId = false;
            else _topicNames[id] = partition.Topic;
        }
        _session.Build(request, _fetching, options.MaxPartitionFetchBytes, _topicIds, withLastFetchedEpoch);
        return byId;
    }

    /// <summary>
    /// KIP-951: a partition answered NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH with a newer leader (and its endpoint)
    /// moves in the cluster's cache at once; true when its dispatcher may subscribe it to the cached leader without a
    /// Metadata request or a backoff. Never true for this broker: it just failed on what the cache said.
    /// </summary>
    private bool ApplyLeaderHint(FetchResponse response, string topic, FetchResponse.PartitionData data)
    {
        if ((ErrorCode)data.ErrorCode is not (ErrorCode.NotLeaderOrFollower or ErrorCode.FencedLeaderEpoch) || data.CurrentLeader.LeaderId < 0) return false;
        int leader = data.CurrentLeader.LeaderId;
        BrokerEndpoint? endpoint = null;
        foreach (FetchResponse.NodeEndpoint node in response.NodeEndpoints)
            if (node.NodeId == leader) endpoint = new BrokerEndpoint(node.Host, node.Port);
        return _context.Cluster.TryApplyLeaderHint(topic, data.PartitionIndex, leader, data.CurrentLeader.LeaderEpoch, endpoint, NodeId);
    }

    private async Task HandOutAsync(ResponseLease<FetchResponse> lease, CancellationToken cancellationToken)
    {
        var shared = new SharedFetchResponse(lease);
        var round = new FetchRound();
        var handed = new bool[_fetching.Count];
        try
        {
            foreach (FetchResponse.FetchableTopicResponse topic in shared.Response.Responses)
            {
                string name = string.IsNullOrEmpty(topic.Topic) && _topicNames.TryGetValue(topic.TopicId, out string? byId) ? byId : topic.Topic;
                foreach (FetchResponse.PartitionData data in topic.Partitions)
                {
                    if (!_fetchIndex.TryGetValue((name, data.PartitionIndex), out int index) || handed[index]) continue;
                    handed[index] = true;
                    (PartitionConsumer partition, long offset, int version, _, _) = _fetching[index];
                    shared.AddReference();
                    round.Add();
                    var fetched = new FetchedPartition(this, shared, data, round, offset, version) { LeaderHinted = ApplyLeaderHint(shared.Response, name, data) };
                    if (!partition.TryFeed(fetched))
                    {
                        fetched.ReleaseBuffer();
                        fetched.Acknowledge(partition, unsubscribe: true);
                    }
                }
            }
        }
        finally
        {
            shared.Release();
            round.Release();
        }
        await round.WhenAllAcknowledged.WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (PartitionConsumer partition in round.Unsubscribed) _subscriptions.Remove(partition);
    }
}
