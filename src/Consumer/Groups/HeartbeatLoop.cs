using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Consumer.Groups;

/// <summary>
/// Heartbeats of one generation, in their own task so partition callbacks and commits never delay them
/// (the Java client's heartbeat thread). Goes on through REBALANCE_IN_PROGRESS (the member still runs
/// its revoke callbacks before rejoining) and transient coordinator failures (the session decides);
/// stops when the membership is gone, and leaves the group when the application stays away longer
/// than <see cref="ConsumerOptions.MaxPollInterval"/>.
/// </summary>
internal sealed class HeartbeatLoop : SupervisedLoop
{
    private readonly CoordinatorBroker _coordinator;
    private readonly ConsumerOptions _options;
    private readonly string _groupId;
    private readonly string _memberId;
    private readonly int _generation;
    private readonly PollTracker _poll;
    private readonly Func<string, CancellationToken, Task> _leave;
    private readonly ILogger _logger;
    private readonly Channel<HeartbeatEvent> _events = Channel.CreateBounded<HeartbeatEvent>(new BoundedChannelOptions(2) { FullMode = BoundedChannelFullMode.DropWrite });
    private bool _rebalanceReported;

    public HeartbeatLoop(CoordinatorBroker coordinator, ConsumerOptions options, string memberId, int generation, PollTracker poll, Func<string, CancellationToken, Task> leave, ILogger logger)
    {
        _coordinator = coordinator;
        _options = options;
        _groupId = options.GroupId!;
        _memberId = memberId;
        _generation = generation;
        _poll = poll;
        _leave = leave;
        _logger = logger;
    }

    public int Generation => _generation;

    /// <summary>At most one rebalance event, then at most one final event.</summary>
    public ChannelReader<HeartbeatEvent> Events => _events.Reader;

    protected override async Task RunAsync(CancellationToken stop)
    {
        while (true)
        {
            await Task.Delay(_options.HeartbeatInterval, _options.TimeProvider, stop).ConfigureAwait(false);
            if (_poll.IsExpired(out string reason))
            {
                ConsumerLog.PollTimeout(_logger, _groupId, reason);
                await _leave(reason, stop).ConfigureAwait(false);
                Finish(new HeartbeatEvent(HeartbeatEventKind.PollTimeout, Reason: reason));
                return;
            }
            if (!await BeatAsync(stop).ConfigureAwait(false)) return;
        }
    }

    protected override void LogFault(Exception fault) => ConsumerLog.LoopFailed(_logger, fault, "heartbeat", _groupId);

    /// <summary>After a crash (a bug) the member must not believe it is alive without heartbeats: it hears of it as fatal.</summary>
    protected override ValueTask OnStoppedAsync()
    {
        if (Fault is not null) Finish(new HeartbeatEvent(HeartbeatEventKind.Fatal, Exception: Fault));
        _events.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends one heartbeat; false once the membership is over.</summary>
    private async Task<bool> BeatAsync(CancellationToken cancellationToken)
    {
        var request = new HeartbeatRequest { GroupId = _groupId, GenerationId = _generation, MemberId = _memberId, GroupInstanceId = _options.GroupInstanceId };
        ErrorCode error;
        try
        {
            HeartbeatResponse response = await _coordinator.SendAsync<HeartbeatRequest, HeartbeatResponse>(request, r => (ErrorCode)r.ErrorCode, default, cancellationToken).ConfigureAwait(false);
            error = (ErrorCode)response.ErrorCode;
        }
        catch (Exception failure) when (failure is KafkaException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // The coordinator is found again on the next beat; the session timeout decides whether the member survives.
            ConsumerLog.CoordinatorFailed(_logger, failure, _groupId);
            return true;
        }
        switch (error)
        {
            case ErrorCode.None:
                return true;
            case ErrorCode.RebalanceInProgress:
                if (!_rebalanceReported)
                {
                    _rebalanceReported = true;
                    _events.Writer.TryWrite(new HeartbeatEvent(HeartbeatEventKind.RebalanceNeeded, error));
                }
                return true;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                Finish(new HeartbeatEvent(HeartbeatEventKind.MembershipLost, error));
                return false;
            case ErrorCode.FencedInstanceId:
                Finish(new HeartbeatEvent(HeartbeatEventKind.Fatal, error, Exception: new KafkaConsumeException(error, null,
                    $"Group {_groupId}: another member with instance id {_options.GroupInstanceId} took over: {error.Message()}")));
                return false;
            case ErrorCode.GroupAuthorizationFailed:
                Finish(new HeartbeatEvent(HeartbeatEventKind.Fatal, error, Exception: new KafkaConsumeException(error, null,
                    $"Heartbeat for group {_groupId} failed: {error.Name()}: {error.Message()}")));
                return false;
            default:
                // Coordinator errors and the like: the coordinator was forgotten and is found again on the next beat.
                ConsumerLog.CoordinatorFailed(_logger, new KafkaErrorException(error, $"Heartbeat {_groupId}", (string?)null), _groupId);
                return true;
        }
    }

    // Room for it is kept: the channel holds one rebalance event and one final event.
    private void Finish(HeartbeatEvent final) => _events.Writer.TryWrite(final);
}
