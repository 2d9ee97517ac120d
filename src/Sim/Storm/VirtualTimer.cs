namespace KafkaNative.Sim.Storm;

/// <summary>
/// A timer of a <see cref="VirtualTimeProvider"/>. Its state is guarded by the provider's lock; a firing in the
/// provider's queue is live only while its version is the timer's current one.
/// </summary>
internal sealed class VirtualTimer(VirtualTimeProvider provider, TimerCallback callback, object? state, ExecutionContext? context) : ITimer
{
    private readonly TimerCallback _callback = callback;
    private readonly object? _state = state;

    /// <summary>Bumped by every change, firing of a one-shot and disposal.</summary>
    internal long Version { get; set; }

    /// <summary>Period in ticks; 0 for a one-shot timer.</summary>
    internal long Period { get; set; }

    internal bool Disposed { get; set; }

    public bool Change(TimeSpan dueTime, TimeSpan period) => provider.Change(this, dueTime, period);

    /// <summary>Runs the callback in the execution context it was created in, as a system timer does.</summary>
    internal void Invoke()
    {
        if (context is null)
            Fire();
        else
            ExecutionContext.Run(context, static self => ((VirtualTimer)self!).Fire(), this);
    }

    private void Fire() => _callback(_state);

    public void Dispose() => provider.Dispose(this);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
