namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// Whether the application holds a message of a partition it has not finished with (handed out by
/// <c>await foreach</c> and not yet followed by a request for the next, or inside a handler), so a
/// revocation can wait for it, as the Java client's callbacks wait for the next poll.
/// </summary>
internal sealed class RecordInHand
{
    private int _held;
    private TaskCompletionSource? _waiter;

    public void Take() => Interlocked.Increment(ref _held);

    public void Release()
    {
        if (Interlocked.Decrement(ref _held) == 0 && Volatile.Read(ref _waiter) is { } waiter) waiter.TrySetResult();
    }

    /// <summary>Waits until no message is held, at most <paramref name="limit"/> (the member has left the group by then anyway).</summary>
    public async Task WaitReleasedAsync(TimeSpan limit, TimeProvider time, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Exchange, a full fence: either Release sees the waiter, or this sees the count at zero.
        Interlocked.Exchange(ref _waiter, waiter);
        try
        {
            if (Volatile.Read(ref _held) == 0) return;
            await waiter.Task.WaitAsync(limit, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still held: revoke anyway; that message is read again by the next owner.
        }
        finally
        {
            Interlocked.CompareExchange(ref _waiter, null, waiter);
        }
    }
}
