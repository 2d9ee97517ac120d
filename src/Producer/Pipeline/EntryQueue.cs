using System.Threading.Channels;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// Where callers' records enter the pipeline: each is appended, under a lock, to the chunk being filled,
/// in call order, and the dispatcher takes every chunk there is when it wakes. A record costs one
/// uncontended lock instead of a channel write and a channel read. The caller whose record lands in an
/// empty queue wakes the dispatcher, so a lone record waits for nothing. Bounded by the memory budget,
/// which every record has passed before it gets here.
/// </summary>
internal sealed class EntryQueue
{
    private readonly Lock _lock = new();
    private readonly Queue<RecordChunk> _full = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private RecordChunk? _filling;
    private bool _closed;

    /// <summary>Queues a record; false once the queue is closed (the producer is closing, or its dispatcher stopped).</summary>
    public bool TryAdd(in PendingRecord record)
    {
        bool wake;
        lock (_lock)
        {
            if (_closed) return false;
            wake = _filling is null && _full.Count == 0;
            RecordChunk chunk = _filling ??= RecordChunk.Rent();
            chunk.Add(record);
            if (chunk.IsFull)
            {
                _full.Enqueue(chunk);
                _filling = null;
            }
        }
        if (wake) _wake.Writer.TryWrite(true);
        return true;
    }

    /// <summary>Waits until records may be queued; false once closed (records may still be left to take).</summary>
    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        if (!await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) return false;
        _wake.Reader.TryRead(out _);
        return true;
    }

    /// <summary>Moves every queued chunk, oldest first, into <paramref name="taken"/>.</summary>
    public void TakeAll(List<RecordChunk> taken)
    {
        lock (_lock)
        {
            while (_full.TryDequeue(out RecordChunk? chunk)) taken.Add(chunk);
            if (_filling is not null) taken.Add(_filling);
            _filling = null;
        }
    }

    /// <summary>Takes no more records; those queued stay for <see cref="TakeAll"/>.</summary>
    public void Close()
    {
        lock (_lock) _closed = true;
        _wake.Writer.TryComplete();
    }
}
