using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// One broker's stage (Sarama's brokerProducer), shared by every partition it leads and reference
/// counted by <see cref="BrokerProducerPool"/>. It owns two loops: the <see cref="BrokerAggregator"/>
/// builds batches, the <see cref="BrokerFlusher"/> sends them. If either fails unexpectedly, both stop,
/// new input is refused so partition producers route elsewhere at once, and the pool forgets this one.
/// </summary>
internal sealed class BrokerProducer : IAsyncDisposable
{
    private readonly ProducerContext _context;
    private readonly BrokerLease _lease;
    private readonly BrokerAggregator _aggregator;
    private readonly BrokerFlusher _flusher;

    public BrokerProducer(ProducerContext context, int nodeId, BrokerLease lease)
    {
        _context = context;
        NodeId = nodeId;
        _lease = lease;
        _flusher = new BrokerFlusher(context, this, lease);
        _aggregator = new BrokerAggregator(context, this, _flusher);
        _flusher.Start(context.Shutdown.Token);
        _aggregator.Start(context.Shutdown.Token);
    }

    public int NodeId { get; }

    /// <summary>Why the broker producer stopped on its own, if it did; the pool then hands out a new one.</summary>
    public Exception? Fault => _aggregator.Fault ?? _flusher.Fault;

    /// <summary>References held by partition producers; managed by the pool under its lock.</summary>
    internal int References { get; set; }

    /// <summary>Records from the partition producers routed here.</summary>
    public Channel<RecordChunk> Input => _aggregator.Input;

    /// <summary>Sends a batch that came back from a failed attempt, ahead of anything new from its partition.</summary>
    public ValueTask ResendAsync(ProducerBatch batch, CancellationToken cancellationToken) => _flusher.SendAsync(batch, cancellationToken);

    /// <summary>Asks the aggregator to close every open batch now (a flush, or a partition leaving).</summary>
    public void RequestFlush() => _aggregator.RequestFlush();

    /// <summary>Gives a batch back to its partition producer after <paramref name="error"/>; no later batch of the partition goes out on this route.</summary>
    public static void HandBack(ProducerBatch batch, KafkaException error, bool leaderHinted = false)
    {
        batch.Partition.Halt(batch.RoutingEpoch);
        batch.RecordAttemptError(error, leaderHinted);
        batch.Partition.Owner.HandBack(batch);
    }

    /// <summary>Why an unsent batch comes back when the loops stop: closing, or the crash.</summary>
    public KafkaException Stopped(ProducerBatch batch) => Fault is null
        ? Pipeline.Closed(batch.Partition.Topic, batch.Partition.Partition, "the producer was closed")
        : CrashError();

    public KafkaConnectionException CrashError() => new($"The producer for broker {NodeId} failed: {Fault!.Message}", Fault!);

    /// <summary>
    /// Supervision, called by a loop that failed: input is refused at once, both loops stop (sends
    /// under way are cancelled), and the pool forgets this broker producer.
    /// </summary>
    public void OnLoopFaulted()
    {
        Input.Writer.TryComplete();
        _aggregator.RequestStop();
        _flusher.RequestStop();
        _context.BrokerProducers.Forget(this);
    }

    /// <summary>
    /// Retires the broker producer once no partition routes to it: what is still open or queued goes
    /// back to its partitions, and sends under way finish (their batches go back too) before the
    /// lease is let go.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Input.Writer.TryComplete();
        try
        {
            // The aggregator ends the flusher's input when it stops; the flusher waits for its sends.
            await _aggregator.Completion.ConfigureAwait(false);
            await _flusher.Completion.ConfigureAwait(false);
        }
        finally
        {
            _lease.Dispose();
        }
    }
}
