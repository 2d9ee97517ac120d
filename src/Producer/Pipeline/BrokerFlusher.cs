using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Producer.Transactions;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// The second loop of a broker's stage (Sarama's flusher): packs sealed batches into Produce requests
/// (one batch per partition per request), connects, and starts each send in order, with at most the
/// connection's in-flight limit of sends under way. Each send sorts its partitions' results: written
/// (report it), or anything else (hand the batch back to its partition producer, which decides
/// between retry and failure). A circuit breaker stops sending to a broker that keeps failing.
/// </summary>
internal sealed class BrokerFlusher : SupervisedLoop
{
    private readonly ProducerContext _context;
    private readonly BrokerProducer _owner;
    private readonly BrokerLease _lease;
    private readonly ResiliencePipeline _breaker;
    // Sends under way, oldest first; at most MaxInFlightPerConnection.
    private readonly Queue<Task> _inFlight = new();
    // Batches that could not join the request being packed; older than anything in the input.
    private readonly Queue<ProducerBatch> _deferred = new();

    public BrokerFlusher(ProducerContext context, BrokerProducer owner, BrokerLease lease)
    {
        _context = context;
        _owner = owner;
        _lease = lease;
        _breaker = context.Breakers.For(owner.NodeId);
    }

    /// <summary>Sealed batches, from the aggregator and (retries) from partition producers; the aggregator completes it.</summary>
    public Channel<ProducerBatch> Input { get; } = Channel.CreateBounded<ProducerBatch>(
        new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a sealed batch for sending, waiting while the input is full.</summary>
    public ValueTask SendAsync(ProducerBatch batch, CancellationToken cancellationToken) =>
        Input.Writer.TryWrite(batch) ? ValueTask.CompletedTask : Input.Writer.WriteAsync(batch, cancellationToken);

    protected override async Task RunAsync(CancellationToken stop)
    {
        int maxInFlight = _context.Options.MaxInFlightPerConnection;
        var request = new List<ProducerBatch>();
        var partitions = new HashSet<PartitionState>();
        while (_deferred.Count > 0 || await Input.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            await WaitForRoomAsync(maxInFlight).ConfigureAwait(false);
            request.Clear();
            partitions.Clear();
            long bytes = 0;
            int carried = _deferred.Count;
            // Deferred batches first: they are older than anything in the channel.
            for (int i = 0; i < carried; i++) Take(_deferred.Dequeue(), request, partitions, ref bytes);
            while (bytes < _context.Options.MaxRequestSize && Input.Reader.TryRead(out ProducerBatch? batch))
                Take(batch, request, partitions, ref bytes);
            if (request.Count == 0) continue;
            if (_context.Transactions is { } transactions && !await JoinTransactionAsync(transactions, request, stop).ConfigureAwait(false)) continue;

            await EnsureConnectedAsync(stop).ConfigureAwait(false);
            _inFlight.Enqueue(SendRequestAsync([.. request], stop));
        }
    }

    protected override void LogFault(Exception fault) =>
        _context.Logger.LogError(fault, "The flusher of the producer for broker {Broker} failed", _owner.NodeId);

    /// <summary>Unsent batches go back to their partitions, which route them again (or fail them when closing); sends under way finish.</summary>
    protected override async ValueTask OnStoppedAsync()
    {
        if (Fault is not null) _owner.OnLoopFaulted();
        foreach (ProducerBatch batch in _deferred) BrokerProducer.HandBack(batch, _owner.Stopped(batch));
        _deferred.Clear();
        while (Input.Reader.TryRead(out ProducerBatch? batch)) BrokerProducer.HandBack(batch, _owner.Stopped(batch));
        // Each send hands back or reports its own batches and never throws.
        await Task.WhenAll(_inFlight).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until fewer than <paramref name="maxInFlight"/> sends are under way, freeing room in send
    /// order only. Brokers answer a connection's requests in order, but the sends' continuations run in
    /// any order: if a later send's finishing made room before an earlier failed send had halted its
    /// partition, a new batch of that partition could be written behind the failed one and push it out
    /// of the broker's five-batch duplicate window, so its retry would be refused as out of sequence
    /// although it is in the log.
    /// </summary>
    private async ValueTask WaitForRoomAsync(int maxInFlight)
    {
        while (_inFlight.TryPeek(out Task? oldest) && (oldest.IsCompleted || _inFlight.Count >= maxInFlight))
        {
            // A send never throws: it reports or hands back its own batches.
            await oldest.ConfigureAwait(false);
            _ = _inFlight.Dequeue();
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

    /// <summary>
    /// Adds the request's partitions to the open transaction before they are written to. False when nothing
    /// is left to send: the batches failed with the transaction's error, or went stale during the wait.
    /// </summary>
    private async ValueTask<bool> JoinTransactionAsync(TransactionManager transactions, List<ProducerBatch> request, CancellationToken stop)
    {
        ValueTask<KafkaException?> adding = transactions.AddPartitionsAsync(request, stop);
        if (adding.IsCompletedSuccessfully && adding.Result is null) return true;
        if (await adding.ConfigureAwait(false) is { } refused)
        {
            foreach (ProducerBatch batch in request) BrokerProducer.HandBack(batch, refused);
            return false;
        }
        // The wait let the partitions move on: a batch whose route left or halted goes back, as in Take.
        request.RemoveAll(batch =>
        {
            if (!batch.Partition.IsStale(batch.RoutingEpoch)) return false;
            batch.Partition.Owner.HandBack(batch);
            return true;
        });
        return request.Count > 0;
    }

    /// <summary>Puts a batch in the request, or defers it when its partition already has one there (one batch per partition per request).</summary>
    private void Take(ProducerBatch batch, List<ProducerBatch> request, HashSet<PartitionState> partitions, ref long bytes)
    {
        if (batch.Partition.IsStale(batch.RoutingEpoch) || batch.Deadline <= _context.Now)
        {
            // Stale (the partition moved on) or out of time: its partition producer decides what happens next.
            batch.Partition.Owner.HandBack(batch);
            return;
        }
        if (!partitions.Add(batch.Partition) || (request.Count > 0 && bytes + batch.Encoded.Length > _context.Options.MaxRequestSize))
        {
            _deferred.Enqueue(batch);
            return;
        }
        request.Add(batch);
        bytes += batch.Encoded.Length;
    }

    private async Task SendRequestAsync(ProducerBatch[] batches, CancellationToken stop)
    {
        int nodeId = _owner.NodeId;
        try
        {
            ProduceRequest request = ProduceRequests.Build(_context.Options, batches);
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
            ProduceRequests.Settle(_context.Cluster, batches, response, nodeId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            KafkaException error = exception switch
            {
                BrokenCircuitException => new KafkaConnectionException($"Broker {nodeId} is failing; its circuit breaker is open", exception),
                KafkaException kafka => kafka,
                _ => new KafkaConnectionException($"Producing to broker {nodeId} failed: {exception.Message}", exception),
            };
            // The request may have reached the broker: these batches may be in the log already.
            foreach (ProducerBatch batch in batches)
            {
                batch.MayBeWritten |= exception is not BrokenCircuitException;
                BrokerProducer.HandBack(batch, error);
            }
        }
        catch (OperationCanceledException)
        {
            foreach (ProducerBatch batch in batches) BrokerProducer.HandBack(batch, _owner.Stopped(batch));
        }
    }
}
