namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// Runs work with at most N items at once while work of one <see cref="Lane"/> runs one at a time in the
/// order it was scheduled. Each item takes a slot when scheduled (waiting while all are taken, which is
/// the backpressure on the consume loop) and chains behind the lane's previous item, so items of
/// different lanes overlap and items of one lane never do.
/// </summary>
internal sealed class LaneScheduler : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly Lock _lock = new();
    private readonly Dictionary<Lane, Task> _tails = [];
    private readonly HashSet<Task> _running = [];
    private Exception? _fault;

    public LaneScheduler(int maxConcurrency) => _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);

    /// <summary>Waits for a slot, then starts <paramref name="work"/> once the lane's previous work is done.</summary>
    /// <exception cref="InvalidOperationException">Earlier work threw (work is meant to handle its own failures).</exception>
    public async ValueTask ScheduleAsync(Lane lane, Func<Task> work, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _fault) is { } fault)
        {
            _slots.Release();
            throw new InvalidOperationException($"A record's processing failed unexpectedly: {fault.Message}", fault);
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_lock)
        {
            previous = _tails.GetValueOrDefault(lane) ?? Task.CompletedTask;
            _tails[lane] = done.Task;
            _running.Add(done.Task);
        }
        // Run on the pool: the consume loop goes on reading while the work runs.
        _ = Task.Run(() => RunAsync(lane, previous, work, done), CancellationToken.None);
    }

    /// <summary>Completes when everything scheduled so far has finished.</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock) return Task.WhenAll([.. _running]);
    }

    private async Task RunAsync(Lane lane, Task previous, Func<Task> work, TaskCompletionSource done)
    {
        try
        {
            await previous.ConfigureAwait(false);
            await work().ConfigureAwait(false);
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
                _running.Remove(done.Task);
            }
            _slots.Release();
            done.SetResult();
        }
    }

    public void Dispose() => _slots.Dispose();
}
