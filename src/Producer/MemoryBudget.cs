namespace KafkaNative.Producer;

/// <summary>
/// The producer's buffer memory as a byte budget. Records take their size out when they enter the
/// pipeline and give it back once delivered or failed; when the budget is spent, producers wait
/// (asynchronously, cancellably, first come first served). This is the backpressure that keeps a
/// stalled broker from growing the process without bound.
/// </summary>
internal sealed class MemoryBudget
{
    private readonly object _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private long _available;

    public MemoryBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _available = capacity;
    }

    public long Capacity { get; }

    /// <summary>Bytes currently taken by buffered records.</summary>
    public long InUse
    {
        get { lock (_lock) return Capacity - _available; }
    }

    /// <summary>Takes <paramref name="bytes"/>, waiting while the budget is spent.</summary>
    public ValueTask AcquireAsync(int bytes, CancellationToken cancellationToken)
    {
        if (bytes > Capacity)
            throw new ArgumentOutOfRangeException(nameof(bytes), $"A record of {bytes} bytes is larger than the whole buffer memory ({Capacity} bytes).");
        Waiter waiter;
        lock (_lock)
        {
            DropCanceledWaiters();
            // Nobody jumps the queue: with waiters present a newcomer waits its turn.
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return ValueTask.CompletedTask;
            }
            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter(bytes);
            _waiters.Enqueue(waiter);
        }
        if (cancellationToken.CanBeCanceled)
            waiter.Registration = cancellationToken.Register(static state =>
            {
                var (budget, waiter) = ((MemoryBudget, Waiter))state!;
                // A canceled waiter at the head may have been holding back smaller ones behind it.
                if (waiter.Cancel()) budget.Release(0);
            }, (this, waiter));
        return new ValueTask(waiter.Task);
    }

    /// <summary>Gives <paramref name="bytes"/> back and wakes the waiters they now satisfy.</summary>
    public void Release(long bytes)
    {
        List<Waiter>? granted = null;
        lock (_lock)
        {
            _available += bytes;
            DropCanceledWaiters();
            while (_waiters.TryPeek(out Waiter? next))
            {
                if (_available < next.Bytes) break;
                _waiters.Dequeue();
                if (!next.TryClaim()) continue;
                _available -= next.Bytes;
                (granted ??= []).Add(next);
            }
        }
        // Complete outside the lock; continuations run asynchronously anyway.
        if (granted is null) return;
        foreach (Waiter waiter in granted) waiter.Grant();
    }

    private void DropCanceledWaiters()
    {
        while (_waiters.TryPeek(out Waiter? head) && head.Task.IsCompleted) _waiters.Dequeue();
    }

    private sealed class Waiter(int bytes) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private int _state; // 0 waiting, 1 granted, 2 canceled

        public int Bytes { get; } = bytes;
        public CancellationTokenRegistration Registration { get; set; }

        public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Grant()
        {
            Registration.Dispose();
            TrySetResult();
        }

        public bool Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) != 0) return false;
            TrySetCanceled();
            return true;
        }
    }
}
