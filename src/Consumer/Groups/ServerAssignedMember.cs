using System.Text.RegularExpressions;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// Membership of a consumer group with KIP-848's consumer protocol: one loop heartbeats (ConsumerGroupHeartbeat)
/// at the interval the coordinator sets, carrying the subscription, the server-side assignor and the partitions
/// this member owns, and reconciles the assignment the coordinator sends: partitions taken away are revoked first
/// (callbacks, commit), then the new ones started, and the next heartbeat, sent at once, acknowledges both.
/// FENCED_MEMBER_EPOCH and UNKNOWN_MEMBER_ID lose the partitions (no commit: another member may own them) and
/// rejoin at epoch 0; coordinator errors find the coordinator again; authorization and configuration errors are
/// fatal. Leaving sends epoch -1 (-2 for a static member, which keeps its partitions for its return).
/// </summary>
internal sealed partial class ServerAssignedMember : SupervisedLoop, IGroupMember
{
    private const int JoinEpoch = 0;
    private const int LeaveEpoch = -1;
    private const int StaticLeaveEpoch = -2;

    private readonly KafkaCluster _cluster;
    private readonly ConsumerOptions _options;
    private readonly string _groupId;
    private readonly IGroupListener _listener;
    private readonly PollTracker _poll;
    private readonly ILogger _logger;
    private readonly CoordinatorBroker _coordinator;
    private readonly RetryBackoff _backoff;
    private readonly GroupOffsets _offsets;
    // Heartbeat now rather than at the interval: the subscription changed, or a reconciliation needs acknowledging.
    private readonly Channel<bool> _beatNow = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _lock = new();
    private HashSet<TopicPartition> _owned = [];
    private IReadOnlyList<string> _topics = [];
    private Regex? _pattern;
    private string _memberId = "";
    private int _epoch = JoinEpoch;
    private TimeSpan _interval;
    // The topic names of the last heartbeat, owned by the loop: where assigned topic ids are looked up.
    private IReadOnlyList<string> _subscribed = [];

    public ServerAssignedMember(KafkaCluster cluster, ConsumerOptions options, IGroupListener listener, PollTracker poll)
    {
        _cluster = cluster;
        _options = options;
        _groupId = options.GroupId ?? throw new InvalidOperationException("A group needs a GroupId.");
        _listener = listener;
        _poll = poll;
        _logger = options.LoggerFactory.CreateLogger<ServerAssignedMember>();
        _coordinator = new CoordinatorBroker(cluster, _groupId);
        _backoff = new RetryBackoff(options.RetryBackoff, options.RetryBackoffMax, options.Random);
        _offsets = new GroupOffsets(_coordinator, _groupId, options, _backoff, OnCommitRefused, listener.LeaderEpochAt);
        _interval = options.HeartbeatInterval;
    }

    public string MemberId
    {
        get
        {
            lock (_lock) return _memberId;
        }
    }

    /// <summary>The member epoch stands where the classic generation does (TxnOffsetCommit checks it).</summary>
    public ConsumerGroupMetadata Metadata
    {
        get
        {
            lock (_lock) return new ConsumerGroupMetadata(_groupId, _epoch, _memberId, _options.GroupInstanceId);
        }
    }

    public void SetSubscription(IReadOnlyList<string> topics, Regex? pattern)
    {
        lock (_lock)
        {
            _topics = topics;
            _pattern = pattern;
        }
        _beatNow.Writer.TryWrite(true);
    }

    /// <summary>Commits with the member epoch (OffsetCommit v9: STALE_MEMBER_EPOCH when it moved on).</summary>
    public Task CommitAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        (int epoch, string memberId) = EpochAndId();
        return _offsets.CommitAsync(offsets, epoch, memberId, maxVersion: 9, cancellationToken);
    }

    public Task<IReadOnlyList<CommittedOffset>> FetchCommittedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken) =>
        _offsets.FetchCommittedAsync(partitions, cancellationToken);

    protected override async Task RunAsync(CancellationToken stop)
    {
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                if (_poll.IsExpired(out string reason))
                {
                    await OnPollTimeoutAsync(reason, stop).ConfigureAwait(false);
                    continue;
                }
                wait = await BeatAsync(stop).ConfigureAwait(false);
                failures = 0;
            }
            catch (KafkaConsumeException fatal)
            {
                _listener.OnFatalError(fatal);
                return;
            }
            catch (Exception error) when (error is KafkaException or TimeoutException or ObjectDisposedException && !stop.IsCancellationRequested)
            {
                ConsumerLog.CoordinatorFailed(_logger, error, _groupId);
                wait = _backoff.Delay(failures++);
            }
            await WaitAsync(wait, stop).ConfigureAwait(false);
        }
    }

    protected override void LogFault(Exception fault) => ConsumerLog.LoopFailed(_logger, fault, "consumer-protocol member", _groupId);

    /// <summary>One heartbeat and what its answer asks for; returns how long to wait before the next.</summary>
    private async Task<TimeSpan> BeatAsync(CancellationToken stop)
    {
        ConsumerGroupHeartbeatRequest request = await BuildHeartbeatAsync(stop).ConfigureAwait(false);
        ConsumerGroupHeartbeatResponse response = await _coordinator.SendAsync<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>(
            request, static r => (ErrorCode)r.ErrorCode, default, stop).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                lock (_lock)
                {
                    if (response.MemberId is { Length: > 0 } id) _memberId = id;
                    _epoch = response.MemberEpoch;
                    if (response.HeartbeatIntervalMs > 0) _interval = TimeSpan.FromMilliseconds(response.HeartbeatIntervalMs);
                }
                if (response.Assignment is { } assignment && await ReconcileAsync(assignment, stop).ConfigureAwait(false)) return TimeSpan.Zero;
                return _interval;
            case ErrorCode.FencedMemberEpoch:
            case ErrorCode.UnknownMemberId:
                await LoseAllAsync(error, stop).ConfigureAwait(false);
                return TimeSpan.Zero;
            case ErrorCode.GroupAuthorizationFailed:
            case ErrorCode.UnreleasedInstanceId:
            case ErrorCode.UnsupportedAssignor:
            case ErrorCode.GroupMaxSizeReached:
            case ErrorCode.InvalidRequest:
            case ErrorCode.UnsupportedVersion:
                throw new KafkaConsumeException(error, null, $"Group {_groupId}: the coordinator refused this member: {response.ErrorMessage ?? error.Message()}");
            default:
                // Coordinator moves (found again on the next beat) and other passing errors.
                throw new KafkaErrorException(error, $"ConsumerGroupHeartbeat for group {_groupId}", response.ErrorMessage);
        }
    }

    /// <summary>
    /// The full heartbeat: the protocol lets unchanged fields be left out, but sending them all keeps the
    /// coordinator's view right after any lost answer, for a few bytes.
    /// </summary>
    private async Task<ConsumerGroupHeartbeatRequest> BuildHeartbeatAsync(CancellationToken stop)
    {
        IReadOnlyList<string> topics = await SubscribedTopicsAsync(stop).ConfigureAwait(false);
        _subscribed = topics;
        List<ConsumerGroupHeartbeatRequest.TopicPartitionsData> owned = await OwnedByTopicIdAsync(stop).ConfigureAwait(false);
        lock (_lock)
        {
            return new ConsumerGroupHeartbeatRequest
            {
                GroupId = _groupId,
                MemberId = _memberId,
                MemberEpoch = _epoch,
                InstanceId = _options.GroupInstanceId,
                RackId = _options.ClientRack,
                RebalanceTimeoutMs = (int)_options.RebalanceTimeout.TotalMilliseconds,
                SubscribedTopicNames = [.. topics],
                ServerAssignor = _options.GroupRemoteAssignor,
                TopicPartitions = owned,
            };
        }
    }

    /// <summary>The subscribed names; a pattern is matched here against the cluster's topics (v0 carries no regex).</summary>
    private Task<IReadOnlyList<string>> SubscribedTopicsAsync(CancellationToken stop)
    {
        Regex? pattern;
        IReadOnlyList<string> topics;
        lock (_lock)
        {
            pattern = _pattern;
            topics = _topics;
        }
        return Subscription.ResolveAsync(_cluster, topics, pattern, stop);
    }

    private (int Epoch, string MemberId) EpochAndId()
    {
        lock (_lock) return (_epoch, _memberId);
    }

    private void OnCommitRefused(ErrorCode error)
    {
        // The epoch moved on: the next heartbeat brings the new one (or the fencing).
        if (error is ErrorCode.StaleMemberEpoch or ErrorCode.UnknownMemberId or ErrorCode.FencedMemberEpoch) _beatNow.Writer.TryWrite(true);
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken stop)
    {
        if (wait <= TimeSpan.Zero) return;
        using var interval = new CancellationTokenSource(wait, _options.TimeProvider);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, interval.Token);
        try
        {
            await _beatNow.Reader.ReadAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The interval passed.
        }
    }

    public void Dispose() => _coordinator.Dispose();
}
