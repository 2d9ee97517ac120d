namespace KafkaNative.Client;

/// <summary>
/// A long-lived task: one loop that owns its state (a Sarama goroutine), with the same lifecycle
/// everywhere. Its one owner creates it, calls <see cref="Start"/>, and later either ends its input and
/// awaits <see cref="Completion"/>, or calls <see cref="StopAsync"/> (cancel, then wait). An unexpected
/// exception from <see cref="RunAsync"/> is logged and kept as <see cref="Fault"/>, and
/// <see cref="OnStoppedAsync"/> then fails what the loop holds with it; <see cref="Completion"/> never
/// faults, and the owner replaces a faulted loop.
/// </summary>
internal abstract class SupervisedLoop
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _ownerStop;
    private int _started;

    /// <summary>Completes once the loop and its clean-up have finished; never faults (see <see cref="Fault"/>).</summary>
    public Task Completion => _done.Task;

    /// <summary>The unexpected exception that ended the loop, if one did.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>True once the loop has stopped, on its own or asked to.</summary>
    public bool IsStopped => _done.Task.IsCompleted;

    /// <summary>Starts the loop; it also stops when <paramref name="ownerStop"/> is cancelled.</summary>
    public void Start(CancellationToken ownerStop = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException($"{GetType().Name} was started twice");
        _ownerStop = ownerStop.UnsafeRegister(static stop => ((CancellationTokenSource)stop!).Cancel(), _stop);
        _ = Task.Run(SuperviseAsync);
    }

    /// <summary>Asks the loop to stop without waiting for it (from inside a sibling loop, say).</summary>
    public void RequestStop() => _stop.Cancel();

    /// <summary>Asks the loop to stop and waits until it has; a loop never started counts as stopped.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        if (Interlocked.Exchange(ref _started, 1) == 0) _done.TrySetResult();
        await _done.Task.ConfigureAwait(false);
    }

    /// <summary>The loop. Cancellation of <paramref name="stop"/> ends it quietly; any other exception is its fault.</summary>
    protected abstract Task RunAsync(CancellationToken stop);

    /// <summary>Runs once after the loop ends, however it ended: fail or release what it holds (<see cref="Fault"/> says why).</summary>
    protected virtual ValueTask OnStoppedAsync() => ValueTask.CompletedTask;

    /// <summary>Logs the exception that ended the loop, in the loop's own words.</summary>
    protected abstract void LogFault(Exception fault);

    private async Task SuperviseAsync()
    {
        CancellationToken stop = _stop.Token;
        try
        {
            await RunAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fault = e;
            LogFault(e);
        }
        try
        {
            await OnStoppedAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fault ??= e;
            LogFault(e);
        }
        finally
        {
            _ownerStop.Dispose();
            _done.TrySetResult();
        }
    }
}
