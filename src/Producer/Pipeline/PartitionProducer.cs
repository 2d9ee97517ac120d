using System.Collections.Concurrent;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// One partition's stage (Sarama's partitionProducer). It routes records to the leader's broker
/// producer. When a batch comes back (a retriable error, a leader change, a dead connection) it
/// leaves that route and holds new records; once the old route has given back everything (the last
/// record out wakes it, as Sarama's in-band chaser does), it waits out the retry backoff, finds the
/// leader on metadata fetched after the failure, and sends the returned batches again in their
/// original order (same sequence numbers) before the held records: a retry never reorders the
/// partition, and never goes back to a broker on what the cache said before it failed. Batches
/// past their delivery deadline fail instead, and are never sent again. The loop never waits on
/// the network itself: it keeps taking records while a route is being looked up.
/// </summary>
internal sealed class PartitionProducer : SupervisedLoop
{
    private readonly ProducerContext _context;
    private readonly PartitionState _state;
    private readonly ConcurrentQueue<ProducerBatch> _returned = new();
    private readonly PartitionBacklog _held;
    private readonly ITimer _timer;
    private BrokerProducer? _broker;
    private Phase _phase = Phase.Waiting;
    private Task<Route>? _finding;
    // Timestamp (of the producer's clock) of the failure this recovery answers (0: none): the next route needs metadata requested after it.
    private long _failedAt;
    private bool _sawError;
    // A batch came back NOT_LEADER_OR_FOLLOWER naming a newer leader that the cache took (KIP-951): retry at once, on the cache.
    private bool _leaderHinted;
    // The broker producer refused records (it stopped on its own): leave the route at the next step.
    private bool _routeBroken;
    private long _nextAttemptAt;
    private int _attempt;
    // Set first thing when the loop ends, so a batch handed back during the clean-up still fails.
    private volatile bool _stopped;

    private enum Phase
    {
        /// <summary>Records go to <see cref="_broker"/>.</summary>
        Routing,
        /// <summary>The route was left; waiting for it to give back everything it had.</summary>
        Draining,
        /// <summary>Waiting for the retry backoff before looking for a new route.</summary>
        Waiting,
        /// <summary>A <see cref="RouteFinder"/> attempt is under way.</summary>
        Finding,
    }

    public PartitionProducer(ProducerContext context, string topic, int partition)
    {
        _context = context;
        _state = new PartitionState(topic, partition, context.Transactions) { Owner = this };
        _held = new PartitionBacklog(context, _state);
        _timer = context.Time.CreateTimer(static self => ((PartitionProducer)self!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public Channel<RecordChunk> Input { get; } = Pipeline.ChunkChannel(singleWriter: false);

    /// <summary>What records fail with after the stage stopped on its own; null while it has not.</summary>
    public ProduceException? FaultError => Fault is null ? null : Pipeline.Crashed(_state.Topic, _state.Partition, "partition producer", Fault);

    public int Partition => _state.Partition;

    /// <summary>
    /// Takes a batch back from a broker producer (failed, stale, or expired). Thread-safe; never blocks
    /// the broker producer. After the partition producer stopped, the batch fails at once.
    /// </summary>
    public void HandBack(ProducerBatch batch)
    {
        _returned.Enqueue(batch);
        batch.LeaveTransit();
        if (_stopped)
        {
            FailReturned(Closed());
            return;
        }
        Wake();
    }

    /// <summary>Asks the loop to look at its state again. If the channel is full the loop is busy and will anyway.</summary>
    public void Wake() => Input.Writer.TryWrite(RecordChunk.Wake);

    protected override async Task RunAsync(CancellationToken stop)
    {
        await StepAsync(stop).ConfigureAwait(false);
        while (await Input.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            while (Input.Reader.TryRead(out RecordChunk? chunk))
            {
                if (chunk.IsWake) continue;
                if (_phase == Phase.Routing && _returned.IsEmpty && !_routeBroken) await ForwardAsync(chunk, stop).ConfigureAwait(false);
                else _held.Hold(chunk);
            }
            await StepAsync(stop).ConfigureAwait(false);
        }
    }

    protected override void LogFault(Exception fault) => _context.Logger.LogError(fault, "The partition producer for {Partition} failed", _state);

    /// <summary>Supervision: what this stage holds fails with the cause (or as closed), and the topic producer replaces it.</summary>
    protected override async ValueTask OnStoppedAsync()
    {
        _stopped = true;
        Input.Writer.TryComplete();
        await _timer.DisposeAsync().ConfigureAwait(false);
        KafkaException why = FaultError ?? Closed();
        Pipeline.FailAll(_context, Input.Reader, why);
        _held.FailAll(why);
        FailReturned(why);
        await ReleaseFindingAsync().ConfigureAwait(false);
        ReleaseBroker();
    }

    /// <summary>Moves the recovery on as far as it can go now; returns when it must wait for a message or the timer.</summary>
    private async ValueTask StepAsync(CancellationToken shutdown)
    {
        CollectReturned();
        if (_phase == Phase.Routing)
        {
            // Every batch that came back failed for good, so the route stays; the records held while
            // they waited to be collected go on now, before any newer record can overtake them.
            while (_held.Batches.Count == 0 && _held.HasRecords && !_routeBroken)
                await ForwardAsync(_held.TakeChunk(), shutdown).ConfigureAwait(false);
            if (_held.Batches.Count == 0 && !_routeBroken) return;
            LeaveRoute();
        }
        _held.FailExpired(_context.Now);
        if (_phase == Phase.Draining)
        {
            // The record that brings InTransit to zero wakes us; until then there is nothing to do.
            if (Volatile.Read(ref _state.InTransit) > 0) return;
            _state.AwaitingDrain = false;
            CollectReturned();
            _held.FailExpired(_context.Now);
            SettleSequenceGap();
            if (_leaderHinted && !_sawError)
            {
                // The answer named the new leader: no backoff and no Metadata request, as KIP-951 intends.
                KafkaTelemetry.ProducerRetries.Add(1);
                _nextAttemptAt = 0;
            }
            _leaderHinted = false;
            if (_sawError)
            {
                // Successive routes after failures are spaced by a growing, jittered backoff, so a
                // partition cannot spin between a failing broker and a stale cache.
                _nextAttemptAt = _context.Now + (long)_context.Backoff.Delay(_attempt++).TotalMilliseconds;
                KafkaTelemetry.ProducerRetries.Add(1);
                _sawError = false;
            }
            _phase = Phase.Waiting;
        }
        if (_phase == Phase.Waiting)
        {
            if (_held.IsEmpty) return;
            if (_context.Now < _nextAttemptAt)
            {
                ArmTimer();
                return;
            }
            _phase = Phase.Finding;
            _finding = RouteFinder.FindAsync(_context, _state, _failedAt, _state.NeedsEpochBump, shutdown);
            _ = _finding.ContinueWith(static (_, self) => ((PartitionProducer)self!).Wake(), this, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        if (_phase == Phase.Finding)
        {
            if (!_finding!.IsCompleted)
            {
                ArmTimer();
                return;
            }
            Route route = await _finding.ConfigureAwait(false);
            _finding = null;
            await TakeRouteAsync(route, shutdown).ConfigureAwait(false);
        }
    }

    private async ValueTask TakeRouteAsync(Route route, CancellationToken shutdown)
    {
        bool bumped = route.Identity is not null && _state.ProducerId >= 0;
        // An expiry during the lookup may have left a hole that the route did not bump the epoch for.
        bool holeUnbumped = _context.Idempotence is not null && _state.ProducerId >= 0 && _state.NeedsEpochBump && route.Identity is null;
        if (route.Broker is null || holeUnbumped)
        {
            if (route.Broker is not null) _context.BrokerProducers.Release(route.Broker);
            if (route.Error is KafkaErrorException { IsRetriable: false } fatal && !KafkaCluster.IsStaleMetadataError(fatal.ErrorCode))
                _held.FailAll(new ProduceException(_state.Topic, _state.Partition, fatal.ErrorCode, fatal.Message, fatal));
            _phase = Phase.Waiting;
            _nextAttemptAt = _context.Now + (long)_context.Backoff.Delay(_attempt++).TotalMilliseconds;
            KafkaTelemetry.ProducerRetries.Add(1);
            ArmTimer();
            return;
        }

        if (route.Identity is { } identity)
        {
            _state.ProducerId = identity.ProducerId;
            _state.ProducerEpoch = identity.Epoch;
            _state.NextSequence = 0;
            if (bumped) _held.Restamp();
            _state.NeedsEpochBump = false;
        }
        _broker = route.Broker;
        if (_context.Logger.IsEnabled(LogLevel.Debug))
            _context.Logger.LogDebug("{Partition} routes to broker {Broker} under epoch {Epoch}, resending {Batches} batches", _state, _broker!.NodeId, _state.ProducerEpoch, _held.Batches.Count);
        _phase = Phase.Routing;
        _failedAt = 0;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        foreach (ProducerBatch batch in _held.Batches)
        {
            // A batch closed after its partition had left the old broker was never sealed.
            if (!batch.IsSealed) _state.Seal(batch);
            batch.RoutingEpoch = _state.RoutingEpoch;
            batch.EnterTransit();
            await _broker.ResendAsync(batch, shutdown).ConfigureAwait(false);
        }
        _held.Batches.Clear();
        while (_held.HasRecords && !_routeBroken) await ForwardAsync(_held.TakeChunk(), shutdown).ConfigureAwait(false);
    }

    /// <summary>Stops routing: everything stamped with the old epoch comes back instead of being sent.</summary>
    private void LeaveRoute()
    {
        Interlocked.Increment(ref _state.RoutingEpoch);
        // Close the open batches now rather than at the end of their linger, so ours come back soon.
        _broker!.RequestFlush();
        ReleaseBroker();
        if (Interlocked.Exchange(ref _state.SucceededSinceRoute, 0) == 1) _attempt = 0;
        _routeBroken = false;
        _state.AwaitingDrain = true;
        Interlocked.MemoryBarrier();
        _phase = Phase.Draining;
    }

    /// <summary>Hands a chunk to the leader's broker producer.</summary>
    private async ValueTask ForwardAsync(RecordChunk chunk, CancellationToken shutdown)
    {
        int epoch = _state.RoutingEpoch;
        for (int i = 0; i < chunk.Count; i++)
        {
            ref PendingRecord record = ref chunk.Records[i];
            record.State = _state;
            record.RoutingEpoch = epoch;
        }
        Interlocked.Add(ref _state.InTransit, chunk.Count);
        if (await Pipeline.TrySendAsync(_broker!.Input.Writer, chunk, shutdown).ConfigureAwait(false)) return;
        // The broker producer stopped on its own: keep the records and find a route again.
        _context.Logger.LogWarning(_broker.Fault, "The broker producer for {Partition} stopped; routing again", _state);
        Interlocked.Add(ref _state.InTransit, -chunk.Count);
        _held.HoldFirst(chunk);
        _routeBroken = true;
        _sawError = true;
        _failedAt = _context.Time.GetTimestamp();
    }

    private void CollectReturned()
    {
        bool any = false;
        while (_returned.TryDequeue(out ProducerBatch? batch))
        {
            any = true;
            if (batch.LastError is KafkaException error)
            {
                if (_context.Logger.IsEnabled(LogLevel.Debug))
                    _context.Logger.LogDebug("{Batch} came back (epoch {Epoch}, may be written: {MayBeWritten}): {Error}", batch, batch.Builder.ProducerEpoch, batch.MayBeWritten, error.Message);
                if (IsFatal(error, batch))
                {
                    _context.Logger.LogWarning(error, "{Batch} failed", batch);
                    if (batch.BaseSequence >= 0 && _context.Idempotence is not null) _state.NeedsEpochBump = true;
                    batch.Fail(error as ProduceException ?? new ProduceException(_state.Topic, _state.Partition, PartitionBacklog.ErrorCodeOf(error), error.Message, error));
                    continue;
                }
                // Every returned batch's error counts, not only the newest one's: that may have come back unsent.
                // A leader hint the cache took is fresh information: the cached leader is newer than the failure.
                if (batch.LeaderHinted)
                {
                    _leaderHinted = true;
                }
                else
                {
                    _sawError = true;
                    if (NeedsFreshMetadata(error)) _failedAt = _context.Time.GetTimestamp();
                }
            }
            _held.AddBatch(batch);
        }
        if (any) _held.SortBatches();
    }

    /// <summary>Wakes the loop for the next attempt or the earliest delivery deadline, whichever comes first.</summary>
    private void ArmTimer()
    {
        long due = Math.Min(_phase == Phase.Waiting ? _nextAttemptAt : long.MaxValue, _held.EarliestDeadline());
        if (due == long.MaxValue) return;
        _timer.Change(TimeSpan.FromMilliseconds(Math.Clamp(due - _context.Now, 1, int.MaxValue)), Timeout.InfiniteTimeSpan);
    }

    private async ValueTask ReleaseFindingAsync()
    {
        if (_finding is null) return;
        Task<Route> finding = _finding;
        _finding = null;
        try
        {
            Route route = await finding.ConfigureAwait(false);
            if (route.Broker is not null) _context.BrokerProducers.Release(route.Broker);
        }
        catch (OperationCanceledException)
        {
            // Shutdown cancelled the lookup (an epoch bump, say) before it acquired a broker: nothing to release,
            // and the clean-up that follows must still fail what the partition holds.
        }
    }

    private void ReleaseBroker()
    {
        if (_broker is null) return;
        _context.BrokerProducers.Release(_broker);
        _broker = null;
    }

    private void FailReturned(KafkaException why)
    {
        while (_returned.TryDequeue(out ProducerBatch? batch)) batch.Fail(why);
    }

    private ProduceException Closed() => Pipeline.Closed(_state.Topic, _state.Partition, "the producer was closed");

    /// <summary>
    /// Everything sent has come back. If the oldest batch held was refused as out of sequence and
    /// cannot be in the log, nothing earlier explains it: the broker lost our sequence, and the
    /// partition starts over under a new epoch. Out-of-sequence answers to later batches are only the
    /// echo of an earlier failure, and answers arrive in any order, so only the oldest one decides.
    /// </summary>
    private void SettleSequenceGap()
    {
        if (_held.Batches.Count == 0) return;
        ProducerBatch oldest = _held.Batches[0];
        if (!oldest.LatestAttemptFailedWith(ErrorCode.OutOfOrderSequenceNumber) || oldest.MayBeWritten) return;
        // A transactional producer cannot bump its epoch mid-transaction: the transaction fails, and its
        // abort bumps the epoch for every partition.
        if (_context.Transactions is not null) _held.FailAll((KafkaException)oldest.LastError!);
        else _state.NeedsEpochBump = true;
    }

    /// <summary>Errors that may mean the leader moved or died: the next route must come from metadata fetched after them.</summary>
    private static bool NeedsFreshMetadata(Exception error) =>
        error is not KafkaErrorException k || k is KafkaConnectionException or KafkaTimeoutException || KafkaCluster.IsStaleMetadataError(k.ErrorCode);

    /// <summary>Errors after which sending the same batch again cannot help.</summary>
    private bool IsFatal(KafkaException error, ProducerBatch batch)
    {
        if (error is KafkaTransactionException) return true;
        if (error is not KafkaErrorException k) return false;
        switch (k.ErrorCode)
        {
            case ErrorCode.UnknownProducerId or ErrorCode.InvalidProducerEpoch when _context.Transactions is not null:
                // Only a new epoch helps, and a transactional producer gets one by aborting (KIP-588).
                return true;
            case ErrorCode.OutOfOrderSequenceNumber:
                // Usually behind an earlier batch that failed: the broker has not seen that one yet.
                // Whether it is a real gap is only known once the route has drained (SettleSequenceGap).
                return false;
            case ErrorCode.UnknownProducerId:
            case ErrorCode.InvalidProducerEpoch:
                // The broker lost or fenced our producer state: start over under a new epoch; nothing was written.
                _state.NeedsEpochBump = true;
                return false;
            default:
                return !k.IsRetriable && !KafkaCluster.IsStaleMetadataError(k.ErrorCode);
        }
    }
}
