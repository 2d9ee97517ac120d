using System.Threading.Channels;
using KafkaNative.Client;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// The first loop of a broker's stage (Sarama's aggregator): takes records from the partition
/// producers routed to the broker, keeps one open batch per partition, and seals a batch for the
/// <see cref="BrokerFlusher"/> when the next record would not fit, when it has lingered long enough
/// once nothing more is waiting, or on a flush.
/// </summary>
internal sealed class BrokerAggregator : SupervisedLoop
{
    private readonly ProducerContext _context;
    private readonly BrokerProducer _owner;
    private readonly BrokerFlusher _flusher;
    private readonly Dictionary<PartitionState, ProducerBatch> _open = [];
    private readonly ITimer _lingerTimer;
    private int _flushRequested;
    private int _timerArmed;

    public BrokerAggregator(ProducerContext context, BrokerProducer owner, BrokerFlusher flusher)
    {
        _context = context;
        _owner = owner;
        _flusher = flusher;
        _lingerTimer = context.Time.CreateTimer(static state => ((BrokerAggregator)state!).OnLingerTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Records from the partition producers routed here.</summary>
    public Channel<RecordChunk> Input { get; } = Pipeline.ChunkChannel(singleWriter: false);

    /// <summary>Asks the loop to seal every open batch now (a flush, or a partition leaving).</summary>
    public void RequestFlush()
    {
        // A flag as well as the wake: the wake is dropped when the input is full, and the loop is busy then anyway.
        Volatile.Write(ref _flushRequested, 1);
        Input.Writer.TryWrite(RecordChunk.Wake);
    }

    protected override async Task RunAsync(CancellationToken stop)
    {
        long linger = (long)_context.Options.Linger.TotalMilliseconds;
        while (await Input.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            while (Input.Reader.TryRead(out RecordChunk? chunk))
            {
                for (int i = 0; i < chunk.Count; i++)
                {
                    if (TryAppend(ref chunk.Records[i])) continue;
                    // The partition's open batch is full or belongs to an older route: close it, then open a new one.
                    await CloseOpenBatchAsync(chunk.Records[i].State!, stop).ConfigureAwait(false);
                    TryAppend(ref chunk.Records[i]);
                }
                chunk.Return();
            }
            // Nothing more is waiting: close what has lingered long enough (everything, on a flush).
            bool flushAll = Interlocked.Exchange(ref _flushRequested, 0) == 1 || _context.Flushes.InProgress;
            await CloseBatchesAsync(flushAll ? long.MaxValue : _context.Now - linger, stop).ConfigureAwait(false);
            ArmLingerTimer(linger);
        }
        await CloseBatchesAsync(long.MaxValue, stop).ConfigureAwait(false);
    }

    protected override void LogFault(Exception fault) =>
        _context.Logger.LogError(fault, "The aggregator of the producer for broker {Broker} failed", _owner.NodeId);

    /// <summary>
    /// Refuses new input and gives back what it holds: records fail, open batches go back to their
    /// partitions (as closed, or with the crash); then the flusher's input ends.
    /// </summary>
    protected override async ValueTask OnStoppedAsync()
    {
        if (Fault is not null) _owner.OnLoopFaulted();
        Input.Writer.TryComplete();
        await _lingerTimer.DisposeAsync().ConfigureAwait(false);
        // Either loop's crash: the flusher's stops this one too.
        bool crashed = _owner.Fault is not null;
        if (crashed) Pipeline.FailAll(_context, Input.Reader, _owner.CrashError());
        else Pipeline.FailAll(_context, Input.Reader, "the producer was closed");
        foreach (ProducerBatch batch in _open.Values)
        {
            if (crashed) BrokerProducer.HandBack(batch, _owner.CrashError());
            else
            {
                batch.LeaveTransit();
                batch.Fail(Pipeline.Closed(batch.Partition.Topic, batch.Partition.Partition, "the producer was closed"));
            }
        }
        _open.Clear();
        _flusher.Input.Writer.TryComplete();
    }

    /// <summary>Appends to the partition's open batch, or opens one; false when a batch must be closed first (full, or of an older route).</summary>
    private bool TryAppend(ref PendingRecord record)
    {
        PartitionState state = record.State!;
        if (_open.TryGetValue(state, out ProducerBatch? batch))
        {
            if (batch.Count > 0 && batch.SizeInBytes + record.Size > _context.Options.BatchSize) return false;
            if (batch.RoutingEpoch != record.RoutingEpoch) return false;
        }
        else
        {
            batch = new ProducerBatch(_context, state, record.RoutingEpoch);
            _open.Add(state, batch);
        }
        batch.Append(ref record);
        return true;
    }

    private ValueTask CloseOpenBatchAsync(PartitionState state, CancellationToken stop) =>
        _open.Remove(state, out ProducerBatch? batch) ? CloseAsync(batch, stop) : ValueTask.CompletedTask;

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
        if (state.IsStale(batch.RoutingEpoch))
        {
            state.Owner.HandBack(batch);
            return;
        }
        state.Seal(batch);
        await _flusher.SendAsync(batch, stop).ConfigureAwait(false);
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
}
