using System.Text.RegularExpressions;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Consumer.Assignors;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// Membership of a consumer group with the classic protocol: FindCoordinator, JoinGroup (the leader
/// runs the assignor), SyncGroup, then a <see cref="HeartbeatLoop"/> per generation while this loop
/// runs the partition callbacks and waits for a reason to rejoin; LeaveGroup on close. Eager strategies
/// revoke everything before rejoining; cooperative-sticky revokes only what moves and rejoins once more.
/// UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION lose the partitions (no commit), FENCED_INSTANCE_ID is fatal,
/// coordinator errors find the coordinator again. Also commits and fetches the group's offsets.
/// </summary>
internal sealed partial class ConsumerGroupMember : SupervisedLoop, IGroupMember
{
    private readonly KafkaCluster _cluster;
    private readonly ConsumerOptions _options;
    private readonly string _groupId;
    private readonly IGroupListener _listener;
    private readonly PollTracker _poll;
    private readonly ILogger _logger;
    private readonly CoordinatorBroker _coordinator;
    private readonly RetryBackoff _backoff;
    private readonly GroupOffsets _offsets;
    private readonly IPartitionAssignor[] _assignors;
    private readonly bool _cooperative;
    private readonly Channel<bool> _rejoin = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _lock = new();
    private readonly Dictionary<string, MissingTopic> _missingTopics = new(StringComparer.Ordinal);
    private List<TopicPartition> _owned = [];
    private IReadOnlyList<string> _topics = [];
    private IReadOnlyList<string> _joinedTopics = [];
    private Regex? _pattern;
    private string _memberId = "";
    private int _generation = Sentinels.NoGeneration;
    private HeartbeatLoop? _heartbeat;

    public ConsumerGroupMember(KafkaCluster cluster, ConsumerOptions options, IGroupListener listener, PollTracker poll)
    {
        _cluster = cluster;
        _options = options;
        _groupId = options.GroupId ?? throw new InvalidOperationException("A group needs a GroupId.");
        _listener = listener;
        _poll = poll;
        _logger = options.LoggerFactory.CreateLogger<ConsumerGroupMember>();
        _coordinator = new CoordinatorBroker(cluster, _groupId);
        _backoff = new RetryBackoff(options.RetryBackoff, options.RetryBackoffMax, options.Random);
        _offsets = new GroupOffsets(_coordinator, _groupId, options, _backoff, OnCommitRefused, listener.LeaderEpochAt);
        _assignors = options.AssignmentStrategies.Distinct().Select(PartitionAssignors.Create).ToArray();
        _cooperative = _assignors.All(a => a.IsCooperative);
    }

    public string MemberId
    {
        get
        {
            lock (_lock) return _memberId;
        }
    }

    /// <summary>The group, generation and member id, read together.</summary>
    public ConsumerGroupMetadata Metadata
    {
        get
        {
            lock (_lock) return new ConsumerGroupMetadata(_groupId, _generation, _memberId, _options.GroupInstanceId);
        }
    }

    public int Generation
    {
        get
        {
            lock (_lock) return _generation;
        }
    }

    /// <summary>Sets the subscription (a list or a pattern) and asks for a rejoin.</summary>
    public void SetSubscription(IReadOnlyList<string> topics, Regex? pattern)
    {
        lock (_lock)
        {
            _topics = topics;
            _pattern = pattern;
        }
        _rejoin.Writer.TryWrite(true);
    }

    protected override async Task RunAsync(CancellationToken stop)
    {
        bool joined = false;
        // Coordinator failures in a row: the lookups and rejoins after them are spaced ever further apart.
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                joined = joined ? await WatchAsync(stop).ConfigureAwait(false) : await RejoinAsync(stop).ConfigureAwait(false);
                if (joined) failures = 0;
            }
            catch (KafkaConsumeException fatal)
            {
                _listener.OnFatalError(fatal);
                return;
            }
            catch (Exception error) when (error is KafkaException or TimeoutException or ObjectDisposedException)
            {
                ConsumerLog.CoordinatorFailed(_logger, error, _groupId);
                // Not one cluster broker answered yet: the application hears of it instead of waiting silently.
                if (_cluster.Metadata is null) _listener.OnError(error);
                _coordinator.Invalidate();
                joined = false;
                await Task.Delay(_backoff.Delay(failures++), _options.TimeProvider, stop).ConfigureAwait(false);
            }
        }
    }

    protected override void LogFault(Exception fault) => ConsumerLog.LoopFailed(_logger, fault, "group member", _groupId);

    /// <summary>After a crash (a bug) the application must not wait on a group that no longer runs.</summary>
    protected override async ValueTask OnStoppedAsync()
    {
        if (Fault is { } error)
            _listener.OnFatalError(new KafkaConsumeException(ErrorCode.UnknownServerError, null, $"Group {_groupId}: the membership failed: {error.Message}", error));
        await StopHeartbeatAsync().ConfigureAwait(false);
    }

    /// <summary>Revokes (eager), joins and syncs; returns whether the member is now in a stable generation.</summary>
    private async Task<bool> RejoinAsync(CancellationToken cancellationToken)
    {
        _rejoin.Reader.TryRead(out _);
        // The previous generation's heartbeats keep the session alive while the revoke callbacks run.
        if (!_cooperative && _owned.Count > 0) await RevokeAsync(_owned, lost: false, cancellationToken).ConfigureAwait(false);
        // The heartbeats may have ended the membership meanwhile (a revoke callback past MaxPollInterval).
        if (await StopHeartbeatAsync().ConfigureAwait(false) is { } missed) await HandleAsync(missed, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> topics = await ResolveTopicsAsync(cancellationToken).ConfigureAwait(false);
        _joinedTopics = topics;
        return await JoinAndSyncAsync(topics, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits, while the heartbeats run, for a reason to rejoin; returns whether the member is still joined.</summary>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        HeartbeatLoop heartbeat = _heartbeat!;
        // While a subscribed topic is missing, look for it now and then.
        using var lookAgain = new CancellationTokenSource(_missingTopics.Count > 0 ? _options.RetryBackoff * 5 : Timeout.InfiniteTimeSpan, _options.TimeProvider);
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lookAgain.Token);
        Task<bool> rejoin = _rejoin.Reader.WaitToReadAsync(wake.Token).AsTask();
        Task<bool> beat = heartbeat.Events.WaitToReadAsync(wake.Token).AsTask();
        try
        {
            await Task.WhenAny(rejoin, beat).ConfigureAwait(false);
        }
        finally
        {
            await wake.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(rejoin, beat).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (heartbeat.Events.TryRead(out HeartbeatEvent? happened)) return await HandleAsync(happened, cancellationToken).ConfigureAwait(false);
        if (heartbeat.Events.Completion.IsCompleted) return false;
        if (_rejoin.Reader.TryPeek(out _))
        {
            ConsumerLog.Rejoining(_logger, _groupId, "the subscription changed or a commit found the generation gone");
            return false;
        }
        if (await CheckTopicsAsync(_joinedTopics, cancellationToken).ConfigureAwait(false))
        {
            ConsumerLog.Rejoining(_logger, _groupId, "a subscribed topic was created");
            return false;
        }
        return true;
    }

    private async Task<bool> HandleAsync(HeartbeatEvent happened, CancellationToken cancellationToken)
    {
        switch (happened.Kind)
        {
            case HeartbeatEventKind.RebalanceNeeded:
                ConsumerLog.Rejoining(_logger, _groupId, "the group is rebalancing");
                return false;
            case HeartbeatEventKind.MembershipLost:
                await ResetMembershipAsync(happened.Error, cancellationToken).ConfigureAwait(false);
                return false;
            case HeartbeatEventKind.PollTimeout:
                await OnPollTimeoutAsync(happened.Reason, cancellationToken).ConfigureAwait(false);
                return false;
            default:
                throw happened.Exception as KafkaConsumeException
                    ?? new KafkaConsumeException(ErrorCode.UnknownServerError, null, $"Group {_groupId}: heartbeats failed: {happened.Exception?.Message}", happened.Exception);
        }
    }

    /// <summary>
    /// The heartbeat loop left the group: the partitions are lost (another member may own them by now),
    /// the application hears of it, and the member rejoins once the application asks for records again.
    /// </summary>
    private async Task OnPollTimeoutAsync(string reason, CancellationToken cancellationToken)
    {
        List<TopicPartition> lost;
        lock (_lock)
        {
            lost = _owned;
            _owned = [];
        }
        if (lost.Count > 0) await _poll.InCallbackAsync(() => _listener.OnRevokedAsync(lost, lost: true, cancellationToken)).ConfigureAwait(false);
        _poll.ForgetPolls();
        _listener.OnPollTimeout(new MaxPollIntervalExceededException($"Group {_groupId}: left the group because {reason}; consuming again rejoins it."));
        await _poll.WaitForPollAsync(cancellationToken).ConfigureAwait(false);
        ConsumerLog.Rejoining(_logger, _groupId, "the application asks for records again");
    }

    private void StartHeartbeat(string memberId, int generation)
    {
        _heartbeat = new HeartbeatLoop(_coordinator, _options, memberId, generation, _poll, LeaveAsync, _logger);
        _heartbeat.Start();
    }

    /// <summary>Stops the generation's heartbeats; returns the event that ended them if nobody read it yet.</summary>
    private async Task<HeartbeatEvent?> StopHeartbeatAsync()
    {
        if (_heartbeat is null) return null;
        await _heartbeat.StopAsync().ConfigureAwait(false);
        HeartbeatEvent? final = null;
        while (_heartbeat.Events.TryRead(out HeartbeatEvent? unread))
        {
            if (unread.Kind != HeartbeatEventKind.RebalanceNeeded) final = unread;
        }
        _heartbeat = null;
        return final;
    }

    private async Task ResetMembershipAsync(ErrorCode error, CancellationToken cancellationToken)
    {
        ConsumerLog.Rejoining(_logger, _groupId, $"{error.Name()}: partitions lost");
        List<TopicPartition> lost;
        lock (_lock)
        {
            lost = _owned;
            _owned = [];
            if (error == ErrorCode.UnknownMemberId) _memberId = "";
            _generation = Sentinels.NoGeneration;
        }
        if (lost.Count > 0) await _poll.InCallbackAsync(() => _listener.OnRevokedAsync(lost, lost: true, cancellationToken)).ConfigureAwait(false);
    }

    private async Task RevokeAsync(List<TopicPartition> partitions, bool lost, CancellationToken cancellationToken)
    {
        List<TopicPartition> copy = [.. partitions];
        await _poll.InCallbackAsync(() => _listener.OnRevokedAsync(copy, lost, cancellationToken)).ConfigureAwait(false);
        lock (_lock) _owned = [.. _owned.Where(p => !copy.Contains(p))];
    }

    /// <summary>Leaves the group (not for static members, whose session outlives restarts) at the version the coordinator speaks.</summary>
    public async Task LeaveAsync(string reason, CancellationToken cancellationToken)
    {
        string memberId = MemberId;
        if (memberId.Length == 0 || _options.GroupInstanceId is not null) return;
        try
        {
            LeaveGroupResponse response = await _coordinator.SendAsync<LeaveGroupRequest, LeaveGroupResponse>(
                version => LeaveGroupRequests.Build(version, _groupId, memberId, _options.GroupInstanceId, reason),
                r => (ErrorCode)r.ErrorCode, cancellationToken).ConfigureAwait(false);
            ErrorCode error = (ErrorCode)response.ErrorCode is not ErrorCode.None and var top ? top
                : response.Members.Select(m => (ErrorCode)m.ErrorCode).FirstOrDefault(e => e != ErrorCode.None);
            if (error != ErrorCode.None) ConsumerLog.LeaveFailed(_logger, new KafkaErrorException(error, $"LeaveGroup {_groupId}", (string?)null), _groupId);
        }
        catch (Exception error) when (error is KafkaException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            ConsumerLog.LeaveFailed(_logger, error, _groupId);
        }
        lock (_lock)
        {
            _memberId = "";
            _generation = Sentinels.NoGeneration;
        }
    }

    public void Dispose() => _coordinator.Dispose();
}
