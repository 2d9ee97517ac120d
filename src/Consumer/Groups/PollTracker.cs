namespace KafkaNative.Consumer.Groups;

/// <summary>
/// Whether the application is still coming back for records, for <see cref="ConsumerOptions.MaxPollInterval"/>
/// (Kafka's max.poll.interval.ms): it polls each time it asks for a record, it counts as present while it
/// waits for records, and it counts as away while a partition callback runs.
/// </summary>
internal sealed class PollTracker(TimeSpan maxPollInterval, TimeProvider time)
{
    private TaskCompletionSource? _pollWaiter;
    private long _lastPoll = time.GetTimestamp();
    private long _callbackStart;
    private int _waiting;

    /// <summary>The application asked for records.</summary>
    public void Polled()
    {
        Volatile.Write(ref _lastPoll, time.GetTimestamp());
        // Per message: a volatile read, and a wake-up only when the member waits for the application.
        Volatile.Read(ref _pollWaiter)?.TrySetResult();
    }

    /// <summary>The application waits for records (it is present until <see cref="EndWait"/>).</summary>
    public void BeginWait()
    {
        Interlocked.Increment(ref _waiting);
        Polled();
    }

    public void EndWait()
    {
        Interlocked.Decrement(ref _waiting);
        Polled();
    }

    /// <summary>A partition callback started: the application is away until it returns.</summary>
    public void BeginCallback() => Volatile.Write(ref _callbackStart, time.GetTimestamp());

    public void EndCallback() => Volatile.Write(ref _callbackStart, 0);

    /// <summary>Runs a group call that runs the application's callbacks: the application is away meanwhile, and that is no poll timeout.</summary>
    public async Task InCallbackAsync(Func<Task> call)
    {
        BeginCallback();
        try
        {
            await call().ConfigureAwait(false);
        }
        finally
        {
            EndCallback();
        }
    }

    /// <summary>True when the application has been away longer than the max poll interval.</summary>
    public bool IsExpired(out string reason)
    {
        long callback = Volatile.Read(ref _callbackStart);
        if (callback != 0 && time.GetElapsedTime(callback) > maxPollInterval)
        {
            reason = $"a partition callback has run for more than MaxPollInterval ({maxPollInterval})";
            return true;
        }
        if (Volatile.Read(ref _waiting) == 0 && time.GetElapsedTime(Volatile.Read(ref _lastPoll)) > maxPollInterval)
        {
            reason = $"the application has not asked for records for more than MaxPollInterval ({maxPollInterval})";
            return true;
        }
        reason = "";
        return false;
    }

    /// <summary>Forgets earlier polls, so <see cref="WaitForPollAsync"/> waits for the next one.</summary>
    public void ForgetPolls() => Volatile.Write(ref _pollWaiter, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Waits until the application asks for records (since <see cref="ForgetPolls"/>).</summary>
    public async Task WaitForPollAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter = Volatile.Read(ref _pollWaiter) ?? throw new InvalidOperationException("ForgetPolls comes first.");
        await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.CompareExchange(ref _pollWaiter, null, waiter);
    }
}
