namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// Which records of one partition are handed to handlers and not yet done, so that the stored offset
/// (what the next commit commits) only ever covers records that are done along with every record
/// before them: with records running in parallel, offset 7 may finish before offset 5.
/// </summary>
internal sealed class PartitionProgress(Action<long> store)
{
    private readonly Lock _lock = new();
    private readonly SortedSet<long> _pending = [];
    private long _afterLastDispatched = -1;
    private long _stored = -1;
    private TaskCompletionSource? _drained;
    private bool _retired;

    /// <summary>A record was handed to a handler; records are handed over in offset order.</summary>
    public void Dispatched(long offset)
    {
        lock (_lock)
        {
            _pending.Add(offset);
            _afterLastDispatched = offset + 1;
        }
    }

    /// <summary>A record is done (handled, or sent to the dead-letter topic): stores the new position if it moved.</summary>
    public void Completed(long offset)
    {
        lock (_lock)
        {
            _pending.Remove(offset);
            long position = _pending.Count > 0 ? _pending.Min : _afterLastDispatched;
            if (_pending.Count == 0)
            {
                _drained?.TrySetResult();
                _drained = null;
            }
            // Stored under the lock, so two completions never store out of order.
            if (position <= _stored || _retired) return;
            _stored = position;
            store(position);
        }
    }

    /// <summary>Completes once no record handed over is still running.</summary>
    public Task WhenDrainedAsync()
    {
        lock (_lock)
        {
            if (_pending.Count == 0) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    /// <summary>The partition is no longer ours (lost): records still finishing must not store offsets for the next owner.</summary>
    public void Retire()
    {
        lock (_lock) _retired = true;
    }
}
