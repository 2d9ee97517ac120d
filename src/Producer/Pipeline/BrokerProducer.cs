using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// One broker's stage (Sarama's brokerProducer), shared by every partition it leads and reference
/// counted by <see cref="BrokerProducerPool"/>. Two tasks: the aggregator builds one open batch per
/// partition and closes it when full or lingered; the flusher packs closed batches into Produce
/// requests, keeps at most the connection's in-flight limit outstanding, and sorts each partition's
/// result: written (report it), or anything else (hand the batch back to its partition producer,
/// which decides between retry and failure). A circuit breaker stops sending to a broker that keeps
/// failing until it recovers.
/// </summary>
internal sealed class BrokerProducer : IAsyncDisposable
{
    private readonly ProducerContext _context;
    private readonly BrokerLease _lease;
    private readonly Channel<ProducerBatch> _ready;
    private readonly Dictionary<PartitionState, ProducerBatch> _open = [];
    private readonly SemaphoreSlim _inFlight;
    private readonly ResiliencePipeline _breaker;
    private readonly ITimer _lingerTimer;
    private readonly CancellationTokenSource _stop;
    private readonly Task _aggregator;
    private readonly Task _flusher;
    private int _flushRequested;
    private int _timerArmed;

    public BrokerProducer(ProducerContext context, int nodeId, BrokerLease lease)
    {
        _context = context;
        NodeId = nodeId;
        _lease = lease;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(context.Shutdown.Token);
        _ready = Channel.CreateBounded<ProducerBatch>(new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _inFlight = new SemaphoreSlim(context.Options.MaxInFlightPerConnection);
        _breaker = context.Breakers.For(nodeId);
        _lingerTimer = context.Time.CreateTimer(static state => ((BrokerProducer)state!).OnLingerTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _aggregator = Task.Run(AggregateAsync);
        _flusher = Task.Run(FlushAsync);
    }

    public int NodeId { get; }

    /// <summary>Why the broker producer stopped on its own, if it did; the pool then hands out a new one.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>References held by partition producers; managed by the pool under its lock.</summary>
    internal int References { get; set; }

    /// <summary>Records from the partition producers routed here.</summary>
    public Channel<RecordChunk> Input { get; } = Pipeline.ChunkChannel(singleWriter: false);

    /// <summary>Sends a batch that came back from a failed attempt, ahead of anything new from its partition.</summary>
    public ValueTask ResendAsync(ProducerBatch batch, CancellationToken cancellationToken) =>
        _ready.Writer.TryWrite(batch) ? ValueTask.CompletedTask : _ready.Writer.WriteAsync(batch, cancellationToken);

    /// <summary>Asks the aggregator to close every open batch now (a flush, or a partition leaving).</summary>
    public void RequestFlush()
    {
        Volatile.Write(ref _flushRequested, 1);
        Input.Writer.TryWrite(RecordChunk.Wake);
    }

    // ---- aggregator ------------------------------------------------------------------------

    private async Task AggregateAsync()
    {
        CancellationToken stop = _stop.Token;
        long linger = (long)_context.Options.Linger.TotalMilliseconds;
        try
        {
            while (await Input.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (Input.Reader.TryRead(out RecordChunk? chunk))
                {
                    for (int i = 0; i < chunk.Count; i++)
                        await AppendAsync(chunk.Records[i], stop).ConfigureAwait(false);
                    chunk.Return();
                }
                // Nothing more is waiting: close what has lingered long enough (everything, on a flush).
                bool flushAll = Interlocked.Exchange(ref _flushRequested, 0) == 1;
                await CloseBatchesAsync(flushAll ? long.MaxValue : _context.Now - linger, stop).ConfigureAwait(false);
                ArmLingerTimer(linger);
            }
            await CloseBatchesAsync(long.MaxValue, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Crashed("aggregator", e);
        }
        finally
        {
            Input.Writer.TryComplete();
            if (Fault is not null) Pipeline.FailAll(_context, Input.Reader, CrashError());
            else Pipeline.FailAll(_context, Input.Reader, "the producer was closed");
            foreach (ProducerBatch batch in _open.Values)
            {
                if (Fault is null)
                {
                    batch.LeaveTransit();
                    batch.Fail(Pipeline.Closed(batch.Partition.Topic, batch.Partition.Partition, "the producer was closed"));
                }
                else HandBack(batch, CrashError());
            }
            _open.Clear();
            _ready.Writer.TryComplete();
        }
    }

    private async ValueTask AppendAsync(PendingRecord record, CancellationToken stop)
    {
        PartitionState state = record.State!;
        if (_open.TryGetValue(state, out ProducerBatch? batch))
        {
            bool full = batch.Count > 0 && batch.SizeInBytes + record.Size > _context.Options.BatchSize;
            if (full || batch.RoutingEpoch != record.RoutingEpoch)
            {
                _open.Remove(state);
                await CloseAsync(batch, stop).ConfigureAwait(false);
                batch = null;
            }
        }
        if (batch is null)
        {
            batch = new ProducerBatch(_context, state, record.RoutingEpoch);
            _open.Add(state, batch);
        }
        batch.Append(ref record);
    }

    private async ValueTask CloseBatchesAsync(long openedBefore, CancellationToken stop)
    {
        if (_open.Count == 0) return;
        List<ProducerBatch>? due = null;
        foreach (ProducerBatch batch in _open.Values)
            if (batch.FirstAppend <= openedBefore) (due ??= []).Add(batch);
        if (due is null) return;
        foreach (ProducerBatch batch in due)
        {
            _open.Remove(batch.Partition);
            await CloseAsync(batch, stop).ConfigureAwait(false);
        }
    }

    /// <summary>Seals a batch for the flusher, or hands it back when its partition has left this broker.</summary>
    private async ValueTask CloseAsync(ProducerBatch batch, CancellationToken stop)
    {
        PartitionState state = batch.Partition;
        if (batch.RoutingEpoch != Volatile.Read(ref state.RoutingEpoch) || state.Halted)
        {
            state.Owner.HandBack(batch);
            return;
        }
        state.Seal(batch);
        if (!_ready.Writer.TryWrite(batch)) await _ready.Writer.WriteAsync(batch, stop).ConfigureAwait(false);
    }

    private void ArmLingerTimer(long linger)
    {
        if (_open.Count == 0 || Interlocked.Exchange(ref _timerArmed, 1) == 1) return;
        _lingerTimer.Change(TimeSpan.FromMilliseconds(Math.Max(1, linger)), Timeout.InfiniteTimeSpan);
    }

    private void OnLingerTimer()
    {
        Volatile.Write(ref _timerArmed, 0);
        Input.Writer.TryWrite(RecordChunk.Wake);
    }

    // ---- flusher ---------------------------------------------------------------------------

    private async Task FlushAsync()
    {
        CancellationToken stop = _stop.Token;
        var deferred = new Queue<ProducerBatch>();
        var request = new List<ProducerBatch>();
        var partitions = new HashSet<PartitionState>();
        try
        {
            while (deferred.Count > 0 || await _ready.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                await _inFlight.WaitAsync(stop).ConfigureAwait(false);
                request.Clear();
                partitions.Clear();
                long bytes = 0;
                int carried = deferred.Count;
                // Deferred batches first: they are older than anything in the channel.
                for (int i = 0; i < carried; i++) Take(deferred.Dequeue(), request, partitions, deferred, ref bytes);
                while (bytes < _context.Options.MaxRequestSize && _ready.Reader.TryRead(out ProducerBatch? batch))
                    Take(batch, request, partitions, deferred, ref bytes);

                if (request.Count == 0)
                {
                    _inFlight.Release();
                    continue;
                }
                await EnsureConnectedAsync(stop).ConfigureAwait(false);
                _ = SendAsync([.. request], stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Crashed("flusher", e);
        }
        finally
        {
            // Unsent batches go back to their partitions, which route them again (or fail them when closing).
            foreach (ProducerBatch batch in deferred) HandBack(batch, Stopped(batch));
            while (_ready.Reader.TryRead(out ProducerBatch? batch)) HandBack(batch, Stopped(batch));
        }
    }

    /// <summary>
    /// Connects here, in the flusher's order, before a request is started: concurrent sends that all
    /// waited for one new connection would resume in any order, and a later batch of a partition that
    /// reaches the broker before an earlier one is refused as out of sequence. With the connection open,
    /// each send queues its request before the flusher starts the next. A failure is left to the send,
    /// which reports it through the breaker.
    /// </summary>
    private async ValueTask EnsureConnectedAsync(CancellationToken stop)
    {
        try
        {
            await _lease.Broker.GetConnectionAsync(stop).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
        }
    }

    /// <summary>Puts a batch in the request, or defers it when its partition already has one there (one batch per partition per request).</summary>
    private void Take(ProducerBatch batch, List<ProducerBatch> request, HashSet<PartitionState> partitions, Queue<ProducerBatch> deferred, ref long bytes)
    {
        if (batch.RoutingEpoch != Volatile.Read(ref batch.Partition.RoutingEpoch) || batch.Partition.Halted || batch.Deadline <= _context.Now)
        {
            // Stale (the partition moved on) or out of time: its partition producer decides what happens next.
            batch.Partition.Owner.HandBack(batch);
            return;
        }
        if (!partitions.Add(batch.Partition) || (request.Count > 0 && bytes + batch.Encoded.Length > _context.Options.MaxRequestSize))
        {
            deferred.Enqueue(batch);
            return;
        }
        request.Add(batch);
        bytes += batch.Encoded.Length;
    }

    private async Task SendAsync(ProducerBatch[] batches, CancellationToken stop)
    {
        try
        {
            ProduceRequest request = BuildRequest(batches);
            foreach (ProducerBatch batch in batches) batch.Attempts++;
            if (_context.Options.Acks == Acks.None)
            {
                // The broker does not answer acks=0: written to the connection is all we will know.
                await _breaker.ExecuteAsync(
                    static (state, token) => state.Broker.SendWithoutResponseAsync(state.Request, token),
                    (Broker: _lease.Broker, Request: request), stop).ConfigureAwait(false);
                foreach (ProducerBatch batch in batches)
                {
                    batch.LeaveTransit();
                    batch.Succeed(-1, -1);
                }
                return;
            }
            ProduceResponse response = await _breaker.ExecuteAsync(
                static (state, token) => state.Broker.SendAsync<ProduceRequest, ProduceResponse>(state.Request, token),
                (Broker: _lease.Broker, Request: request), stop).ConfigureAwait(false);
            HandleResponse(batches, response);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            KafkaException error = exception switch
            {
                BrokenCircuitException => new KafkaConnectionException($"Broker {NodeId} is failing; its circuit breaker is open", exception),
                KafkaException kafka => kafka,
                _ => new KafkaConnectionException($"Producing to broker {NodeId} failed: {exception.Message}", exception),
            };
            // The request may have reached the broker: these batches may be in the log already.
            foreach (ProducerBatch batch in batches)
            {
                batch.MayBeWritten |= exception is not BrokenCircuitException;
                HandBack(batch, error);
            }
        }
        catch (OperationCanceledException)
        {
            foreach (ProducerBatch batch in batches) HandBack(batch, Stopped(batch));
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private ProduceRequest BuildRequest(ProducerBatch[] batches)
    {
        var request = new ProduceRequest
        {
            Acks = (short)_context.Options.Acks,
            TimeoutMs = (int)Math.Min(int.MaxValue, _context.Options.RequestTimeout.TotalMilliseconds),
        };
        foreach (ProducerBatch batch in batches)
        {
            ProduceRequest.TopicProduceData? topic = null;
            foreach (ProduceRequest.TopicProduceData existing in request.TopicData)
                if (existing.Name == batch.Partition.Topic) topic = existing;
            if (topic is null)
            {
                topic = new ProduceRequest.TopicProduceData { Name = batch.Partition.Topic };
                request.TopicData.Add(topic);
            }
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = batch.Partition.Partition, Records = batch.Encoded });
        }
        return request;
    }

    private void HandleResponse(ProducerBatch[] batches, ProduceResponse response)
    {
        foreach (ProducerBatch batch in batches)
        {
            ProduceResponse.PartitionProduceResponse? result = Find(response, batch.Partition);
            var error = result is null ? ErrorCode.UnknownServerError : (ErrorCode)result.ErrorCode;
            switch (error)
            {
                case ErrorCode.None:
                    batch.LeaveTransit();
                    batch.Succeed(result!.BaseOffset, result.LogAppendTimeMs);
                    break;
                case ErrorCode.DuplicateSequenceNumber:
                    // The broker already has this batch: written, at an offset it no longer tells.
                    batch.LeaveTransit();
                    batch.Succeed(-1, -1);
                    break;
                default:
                    // Appended on the leader, not yet replicated: a retry must be recognised as a duplicate.
                    if (error is ErrorCode.RequestTimedOut or ErrorCode.NotEnoughReplicasAfterAppend) batch.MayBeWritten = true;
                    string context = $"Produce to {batch.Partition} on broker {NodeId}";
                    HandBack(batch, result is null
                        ? new KafkaErrorException(error, $"{context}: the response left the partition out")
                        : new KafkaErrorException(error, context, result.ErrorMessage));
                    break;
            }
        }
    }

    private static ProduceResponse.PartitionProduceResponse? Find(ProduceResponse response, PartitionState partition)
    {
        foreach (ProduceResponse.TopicProduceResponse topic in response.Responses)
        {
            if (topic.Name != partition.Topic) continue;
            foreach (ProduceResponse.PartitionProduceResponse p in topic.PartitionResponses)
                if (p.Index == partition.Partition) return p;
        }
        return null;
    }

    private static void HandBack(ProducerBatch batch, KafkaException error)
    {
        batch.Partition.Halted = true;
        batch.RecordAttemptError(error);
        batch.Partition.Owner.HandBack(batch);
    }

    private KafkaException Stopped(ProducerBatch batch) => Fault is null
        ? Pipeline.Closed(batch.Partition.Topic, batch.Partition.Partition, "the producer was closed")
        : CrashError();

    private KafkaConnectionException CrashError() => new($"The producer for broker {NodeId} failed: {Fault!.Message}", Fault!);

    /// <summary>
    /// Supervision: an unexpected exception in either loop is logged, stops both, refuses new input so
    /// partition producers route elsewhere at once, and takes this broker producer out of the pool.
    /// </summary>
    private void Crashed(string loop, Exception e)
    {
        _context.Logger.LogError(e, "The {Loop} of the producer for broker {Broker} failed", loop, NodeId);
        Fault ??= e;
        Input.Writer.TryComplete();
        _stop.Cancel();
        _context.BrokerProducers.Forget(this);
    }

    /// <summary>
    /// Retires the broker producer once no partition routes to it: what is still open or queued goes
    /// back to its partitions, and requests in flight finish (their batches go back too) before the
    /// lease is let go.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Input.Writer.TryComplete();
        try
        {
            await _aggregator.ConfigureAwait(false);
            await _flusher.ConfigureAwait(false);
            for (int i = 0; i < _context.Options.MaxInFlightPerConnection; i++)
                await _inFlight.WaitAsync(_context.Shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_context.Shutdown.IsCancellationRequested)
        {
        }
        finally
        {
            await _lingerTimer.DisposeAsync().ConfigureAwait(false);
            _stop.Cancel();
            _stop.Dispose();
            _lease.Dispose();
        }
    }
}
