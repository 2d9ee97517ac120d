namespace KafkaNative.Sim;

/// <summary>Faults injected into one broker's client sessions: added latency and stalls.</summary>
internal sealed class BrokerFaults
{
    private readonly object _lock = new();
    private long _latencyTicks;
    private TaskCompletionSource? _stall;

    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, Math.Max(0, value.Ticks));
    }

    public void SetStalled(bool stalled)
    {
        lock (_lock)
        {
            if (stalled) _stall ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            else
            {
                _stall?.TrySetResult();
                _stall = null;
            }
        }
    }

    /// <summary>Completes at once unless the broker is stalled; then when the stall ends.</summary>
    public Task WhileStalled(CancellationToken ct)
    {
        Task? gate;
        lock (_lock) gate = _stall?.Task;
        return gate is null ? Task.CompletedTask : gate.WaitAsync(ct);
    }
}
