namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// Runs work with at most N items at once while work of one <see cref="Lane"/> runs one at a time in the
/// order it was scheduled. An item takes a place in the queue when scheduled (waiting while the queue is
/// full, which is the backpressure on the consume loop), chains behind the lane's previous item, and takes
/// one of the N running slots only once that item is done: items waiting for their lane hold no slot, so
/// a slow key never stops other keys from running.
/// </summary>
internal sealed class LaneScheduler : IDisposable
{
    private readonly SemaphoreSlim _queued;
    private readonly SemaphoreSlim _running;
    private readonly Lock _lock = new();
    private readonly Dictionary<Lane, Task> _tails = [];
    private readonly HashSet<Task> _scheduled = [];
    private Exception? _fault;
    private volatile bool _stopStarting;

    /// <param name="maxConcurrency">How many items run at once.</param>
    /// <param name="maxQueued">How many items may be scheduled and not done, running ones included.</param>
    public LaneScheduler(int maxConcurrency, int maxQueued)
    {
        _running = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _queued = new SemaphoreSlim(maxQueued, maxQueued);
    }

    /// <summary>Waits for a place in the queue, then starts <paramref name="work"/> once the lane's previous work is done and a slot is free.</summary>
    /// <exception cref="InvalidOperationException">Earlier work threw (work is meant to handle its own failures).</exception>
    public async ValueTask ScheduleAsync(Lane lane, Func<Task> work, CancellationToken cancellationToken)
    {
        await _queued.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _fault) is { } fault)
        {
            _queued.Release();
            throw new InvalidOperationException($"A record's processing failed unexpectedly: {fault.Message}", fault);
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_lock)
        {
            previous = _tails.GetValueOrDefault(lane) ?? Task.CompletedTask;
            _tails[lane] = done.Task;
            _scheduled.Add(done.Task);
        }
        // Run on the pool: the consume loop goes on reading while the work runs.
        _ = Task.Run(() => RunAsync(lane, previous, work, done), CancellationToken.None);
    }

    /// <summary>Work that has not started yet will not start: stopping lets only what runs finish.</summary>
    public void StopStarting() => _stopStarting = true;

    /// <summary>Completes when everything scheduled so far has finished (or, after <see cref="StopStarting"/>, been dropped).</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock) return Task.WhenAll([.. _scheduled]);
    }

    private async Task RunAsync(Lane lane, Task previous, Func<Task> work, TaskCompletionSource done)
    {
        try
        {
            await previous.ConfigureAwait(false);
            await _running.WaitAsync().ConfigureAwait(false);
            try
            {
                // Once stopping, work not yet started is left undone (uncommitted, so handled after a restart).
                if (!_stopStarting) await work().ConfigureAwait(false);
            }
            finally
            {
                _running.Release();
            }
        }
        catch (Exception exception)
        {
            Interlocked.CompareExchange(ref _fault, exception, null);
        }
        finally
        {
            lock (_lock)
            {
                if (_tails.TryGetValue(lane, out Task? tail) && tail == done.Task) _tails.Remove(lane);
                _scheduled.Remove(done.Task);
            }
            _queued.Release();
            done.SetResult();
        }
    }

    public void Dispose()
    {
        _running.Dispose();
        _queued.Dispose();
    }
}
