using System.Collections.Concurrent;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// One partition's stage (Sarama's partitionProducer). It finds the leader and routes records to
/// that broker's producer. When a batch comes back (a retriable error, a leader change, a dead
/// connection) it stops routing, holds new records, waits until everything still in the old route
/// has come back, then sends the returned batches again in their original order (same sequence
/// numbers) to the new leader before the held records: a retry never reorders the partition.
/// Batches past their delivery deadline are failed instead, and never sent again.
/// </summary>
internal sealed class PartitionProducer
{
    private readonly ProducerContext _context;
    private readonly PartitionState _state;
    private readonly ConcurrentQueue<ProducerBatch> _returned = new();
    private readonly List<ProducerBatch> _heldBatches = [];
    private readonly Queue<PendingRecord> _heldRecords = new();
    private BrokerProducer? _broker;
    private volatile bool _stopped;
    private int _attempt;

    public PartitionProducer(ProducerContext context, string topic, int partition)
    {
        _context = context;
        _state = new PartitionState(topic, partition) { Owner = this };
        Completion = Task.Run(RunAsync);
    }

    public Channel<RecordChunk> Input { get; } = Pipeline.ChunkChannel(singleWriter: false);

    /// <summary>The chunk the topic producer is filling for this partition; touched by the topic producer's task only.</summary>
    public RecordChunk? Filling { get; set; }

    public Task Completion { get; }

    /// <summary>
    /// Takes a batch back from a broker producer (failed, stale, or expired). Thread-safe; never blocks
    /// the broker producer. After the partition producer stopped, the batch fails at once.
    /// </summary>
    public void HandBack(ProducerBatch batch)
    {
        batch.LeaveTransit();
        _returned.Enqueue(batch);
        if (_stopped)
        {
            FailReturned("the producer was closed");
            return;
        }
        // Wake the loop; if the channel is full the loop is busy and will look at the queue anyway.
        Input.Writer.TryWrite(RecordChunk.Wake);
    }

    private async Task RunAsync()
    {
        CancellationToken shutdown = _context.Shutdown.Token;
        try
        {
            await RecoverAsync(shutdown).ConfigureAwait(false);
            while (await Input.Reader.WaitToReadAsync(shutdown).ConfigureAwait(false))
            {
                while (Input.Reader.TryRead(out RecordChunk? chunk))
                {
                    if (!_returned.IsEmpty) await RecoverAsync(shutdown).ConfigureAwait(false);
                    if (chunk.IsWake) continue;
                    await ForwardAsync(chunk, shutdown).ConfigureAwait(false);
                }
                if (!_returned.IsEmpty) await RecoverAsync(shutdown).ConfigureAwait(false);
            }
            // Input completed (the producer is closing): wait for what is still out there to finish.
            while (Volatile.Read(ref _state.InTransit) > 0 || !_returned.IsEmpty)
            {
                if (!_returned.IsEmpty) await RecoverAsync(shutdown).ConfigureAwait(false);
                else await Task.Delay(5, shutdown).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }
        finally
        {
            _stopped = true;
            Pipeline.FailAll(_context, Input.Reader, "the producer was closed");
            while (_heldRecords.TryDequeue(out PendingRecord held)) Pipeline.Fail(_context, ref held, Closed());
            if (Filling is not null) Pipeline.FailAll(_context, Filling, "the producer was closed");
            foreach (ProducerBatch batch in _heldBatches) batch.Fail(Closed());
            _heldBatches.Clear();
            FailReturned("the producer was closed");
            ReleaseBroker();
        }
    }

    /// <summary>Hands a chunk to the leader's broker producer, or holds its records while there is none.</summary>
    private async ValueTask ForwardAsync(RecordChunk chunk, CancellationToken shutdown)
    {
        if (_broker is null)
        {
            for (int i = 0; i < chunk.Count; i++) _heldRecords.Enqueue(chunk.Records[i]);
            chunk.Return();
            await RecoverAsync(shutdown).ConfigureAwait(false);
            return;
        }
        int epoch = _state.RoutingEpoch;
        for (int i = 0; i < chunk.Count; i++)
        {
            ref PendingRecord record = ref chunk.Records[i];
            record.State = _state;
            record.RoutingEpoch = epoch;
        }
        Interlocked.Add(ref _state.InTransit, chunk.Count);
        await Pipeline.SendAsync(_broker.Input.Writer, chunk, shutdown).ConfigureAwait(false);
    }

    /// <summary>Sends the records held during a recovery on, in their order, in chunks.</summary>
    private async ValueTask ForwardHeldAsync(CancellationToken shutdown)
    {
        while (_heldRecords.Count > 0 && _broker is not null)
        {
            RecordChunk chunk = RecordChunk.Rent();
            while (!chunk.IsFull && _heldRecords.TryDequeue(out PendingRecord held)) chunk.Add(held);
            await ForwardAsync(chunk, shutdown).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Leaves the current route, collects everything from it, finds the leader again and re-sends
    /// in order. Returns with a broker to route to, or with nothing left to send.
    /// </summary>
    private async Task RecoverAsync(CancellationToken shutdown)
    {
        if (_broker is not null)
        {
            // Everything stamped with the old epoch now comes back instead of being sent.
            Interlocked.Increment(ref _state.RoutingEpoch);
            // Close the open batches now rather than at the end of their linger, so ours come back soon.
            _broker.RequestFlush();
            ReleaseBroker();
        }

        while (true)
        {
            CollectReturned();
            // Wait until the old route has given back (or finished) every record it had.
            if (Volatile.Read(ref _state.InTransit) > 0)
            {
                // Bounded by the request timeout: in-flight requests come back answered or failed.
                await Task.Delay(5, shutdown).ConfigureAwait(false);
                continue;
            }
            CollectReturned();
            FailExpired();

            Exception? lastError = _heldBatches.Count > 0 ? _heldBatches[^1].LastError : null;
            if (lastError is not null)
            {
                if (NeedsMetadataRefresh(lastError))
                    await RefreshMetadataAsync(shutdown).ConfigureAwait(false);
                await Task.Delay(_context.Backoff(_attempt++), shutdown).ConfigureAwait(false);
                CollectReturned();
                FailExpired();
            }
            if (_heldBatches.Count == 0 && _heldRecords.Count == 0 && !HasPendingInput()) return;

            BrokerProducer? broker = await FindLeaderAsync(shutdown).ConfigureAwait(false);
            if (broker is null)
            {
                await Task.Delay(_context.Backoff(_attempt++), shutdown).ConfigureAwait(false);
                continue;
            }
            if (_context.Idempotence is not null)
            {
                if (_state.ProducerId < 0) await AdoptProducerIdentityAsync(shutdown).ConfigureAwait(false);
                else if (_state.NeedsEpochBump) await StartSequencesOverAsync(shutdown).ConfigureAwait(false);
            }

            _broker = broker;
            foreach (ProducerBatch batch in _heldBatches)
            {
                // A batch closed after its partition had left the old broker was never sealed.
                if (!batch.IsSealed) _state.Seal(batch);
                batch.RoutingEpoch = _state.RoutingEpoch;
                batch.EnterTransit();
                await broker.ResendAsync(batch, shutdown).ConfigureAwait(false);
            }
            _heldBatches.Clear();
            await ForwardHeldAsync(shutdown).ConfigureAwait(false);
            if (_returned.IsEmpty) _attempt = 0;
            return;
        }
    }

    private bool HasPendingInput() => Input.Reader.Count > 0;

    private void CollectReturned()
    {
        bool any = false;
        while (_returned.TryDequeue(out ProducerBatch? batch))
        {
            any = true;
            if (batch.LastError is KafkaException error && IsFatal(error, batch))
            {
                _context.Logger.LogWarning(error, "{Batch} failed", batch);
                if (batch.BaseSequence >= 0) _state.NeedsEpochBump = true;
                batch.Fail(error as ProduceException ?? new ProduceException(_state.Topic, _state.Partition, ErrorCodeOf(error), error.Message, error));
                continue;
            }
            _heldBatches.Add(batch);
        }
        if (any) _heldBatches.Sort(static (a, b) => a.Serial.CompareTo(b.Serial));
    }

    /// <summary>Fails held batches and records whose delivery deadline has passed; they are never sent again.</summary>
    private void FailExpired()
    {
        long now = Environment.TickCount64;
        for (int i = 0; i < _heldBatches.Count; i++)
        {
            ProducerBatch batch = _heldBatches[i];
            if (batch.Deadline > now) continue;
            // A hole in the sequence: later batches can only go on under a new epoch.
            if (batch.BaseSequence >= 0) _state.NeedsEpochBump = true;
            batch.Fail(Expired(batch.LastError));
            _heldBatches.RemoveAt(i--);
        }
        int count = _heldRecords.Count;
        for (int i = 0; i < count; i++)
        {
            PendingRecord record = _heldRecords.Dequeue();
            if (record.Deadline <= now) Pipeline.Fail(_context, ref record, Expired(null));
            else _heldRecords.Enqueue(record);
        }
    }

    private async Task AdoptProducerIdentityAsync(CancellationToken shutdown)
    {
        ProducerIdentity identity = await _context.Idempotence!.GetAsync(shutdown).ConfigureAwait(false);
        _state.ProducerId = identity.ProducerId;
        _state.ProducerEpoch = identity.Epoch;
        _state.NextSequence = 0;
    }

    private async Task StartSequencesOverAsync(CancellationToken shutdown)
    {
        ProducerIdentity seen = new(_state.ProducerId, _state.ProducerEpoch);
        ProducerIdentity identity = await _context.Idempotence!.BumpAsync(seen, shutdown).ConfigureAwait(false);
        _state.ProducerId = identity.ProducerId;
        _state.ProducerEpoch = identity.Epoch;
        _state.NextSequence = 0;
        foreach (ProducerBatch batch in _heldBatches)
        {
            if (!batch.IsSealed) continue;
            batch.Restamp(identity.ProducerId, identity.Epoch, _state.NextSequence);
            _state.NextSequence = Sequences.Next(_state.NextSequence, batch.Count);
        }
        _state.NeedsEpochBump = false;
    }

    private async Task<BrokerProducer?> FindLeaderAsync(CancellationToken shutdown)
    {
        try
        {
            TopicMetadata topic = await _context.Cluster.GetTopicAsync(_state.Topic, shutdown).ConfigureAwait(false);
            PartitionMetadata? partition = topic.Partitions.FirstOrDefault(p => p.Partition == _state.Partition);
            if (partition is null || partition.LeaderId < 0)
            {
                await RefreshMetadataAsync(shutdown).ConfigureAwait(false);
                return null;
            }
            return await _context.BrokerProducers.AcquireAsync(partition.LeaderId, shutdown).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e is not KafkaErrorException { IsRetriable: false })
        {
            _context.Logger.LogDebug(e, "No leader for {Partition} yet", _state);
            return null;
        }
    }

    private async Task RefreshMetadataAsync(CancellationToken shutdown)
    {
        try
        {
            await _context.Cluster.RefreshMetadataAsync(shutdown).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            // The breaker or a dead cluster: the backoff and the next attempt deal with it.
            _context.Logger.LogDebug(e, "Metadata refresh for {Partition} failed", _state);
        }
    }

    private void ReleaseBroker()
    {
        if (_broker is null) return;
        _context.BrokerProducers.Release(_broker);
        _broker = null;
    }

    private void FailReturned(string why)
    {
        while (_returned.TryDequeue(out ProducerBatch? batch)) batch.Fail(Closed(why));
    }

    private ProduceException Closed(string why = "the producer was closed") => Pipeline.Closed(_state.Topic, _state.Partition, why);

    private ProduceException Expired(Exception? last) => new(_state.Topic, _state.Partition, ErrorCodeOf(last),
        $"the delivery timeout ({_context.Options.DeliveryTimeout}) expired{(last is null ? "" : " after: " + last.Message)}", last);

    private static ErrorCode ErrorCodeOf(Exception? error) => error is KafkaErrorException k ? k.ErrorCode : ErrorCode.RequestTimedOut;

    private static bool NeedsMetadataRefresh(Exception error) =>
        error is not KafkaErrorException k || k is KafkaConnectionException or KafkaTimeoutException || KafkaCluster.IsStaleMetadataError(k.ErrorCode);

    /// <summary>Errors after which sending the same batch again cannot help.</summary>
    private bool IsFatal(KafkaException error, ProducerBatch batch)
    {
        if (error is not KafkaErrorException k) return false;
        switch (k.ErrorCode)
        {
            case ErrorCode.OutOfOrderSequenceNumber:
                // Behind an earlier batch being retried, the broker simply has not seen that one yet.
                if (_heldBatches.Count > 0 || batch.MayBeWritten) return false;
                _state.NeedsEpochBump = true;
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
