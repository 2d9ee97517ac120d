using System.Threading.Tasks.Sources;

namespace KafkaNative.Producer;

/// <summary>
/// The producer's buffer memory as a byte budget. Records take their size out when they enter the
/// pipeline and give it back once delivered or failed; when the budget is spent, producers wait
/// (asynchronously, cancellably, first come first served). This is the backpressure that keeps a
/// stalled broker from growing the process without bound. Waiters are pooled: a producer that keeps
/// the budget full allocates nothing per wait.
/// </summary>
internal sealed class MemoryBudget
{
    private readonly object _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private readonly Stack<Waiter> _pool = new();
    // Changed with Interlocked: while nobody waits, taking and giving back need no lock.
    private long _available;
    // Waiters queued, plus one while a newcomer under the lock looks again before queueing; read without the lock.
    private int _waiting;

    public MemoryBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _available = capacity;
    }

    public long Capacity { get; }

    /// <summary>Bytes currently taken by buffered records.</summary>
    public long InUse => Capacity - Volatile.Read(ref _available);

    /// <summary>Takes <paramref name="bytes"/>, waiting while the budget is spent.</summary>
    public ValueTask AcquireAsync(int bytes, CancellationToken cancellationToken)
    {
        if (bytes > Capacity)
            throw new ArgumentOutOfRangeException(nameof(bytes), $"A record of {bytes} bytes is larger than the whole buffer memory ({Capacity} bytes).");
        // Nobody jumps the queue: with waiters present a newcomer waits its turn.
        if (Volatile.Read(ref _waiting) == 0 && TryTake(bytes)) return ValueTask.CompletedTask;
        return AcquireSlowly(bytes, cancellationToken);
    }

    /// <summary>Gives <paramref name="bytes"/> back and wakes the waiters they now satisfy.</summary>
    public void Release(long bytes)
    {
        // Interlocked operations are full fences: either this sees a newcomer's count, or the newcomer,
        // looking again after counting itself, sees these bytes.
        Interlocked.Add(ref _available, bytes);
        if (Volatile.Read(ref _waiting) == 0) return;
        Waiter? first = null;
        List<Waiter>? more = null;
        lock (_lock)
        {
            DropCanceledWaiters();
            while (_waiters.TryPeek(out Waiter? next) && TryTake(next.Bytes))
            {
                _waiters.Dequeue();
                PublishWaiting();
                if (!next.TryClaim())
                {
                    // Canceled meanwhile: its bytes go back for the next one.
                    Interlocked.Add(ref _available, next.Bytes);
                    continue;
                }
                if (first is null) first = next;
                else (more ??= []).Add(next);
            }
        }
        // Complete outside the lock; continuations run asynchronously anyway.
        first?.Grant();
        if (more is null) return;
        foreach (Waiter waiter in more) waiter.Grant();
    }

    private ValueTask AcquireSlowly(int bytes, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            DropCanceledWaiters();
            Volatile.Write(ref _waiting, _waiters.Count + 1);
            if (_waiters.Count == 0 && TryTake(bytes))
            {
                PublishWaiting();
                return ValueTask.CompletedTask;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                PublishWaiting();
                cancellationToken.ThrowIfCancellationRequested();
            }
            waiter = _pool.TryPop(out Waiter? pooled) ? pooled : new Waiter(this);
            waiter.Start(bytes);
            _waiters.Enqueue(waiter);
            PublishWaiting();
        }
        if (cancellationToken.CanBeCanceled) waiter.WatchCancellation(cancellationToken);
        return waiter.AsValueTask();
    }

    private bool TryTake(long bytes)
    {
        long available = Volatile.Read(ref _available);
        while (available >= bytes)
        {
            long seen = Interlocked.CompareExchange(ref _available, available - bytes, available);
            if (seen == available) return true;
            available = seen;
        }
        return false;
    }

    // Under the lock, after the queue changed.
    private void PublishWaiting() => Volatile.Write(ref _waiting, _waiters.Count);

    private void DropCanceledWaiters()
    {
        while (_waiters.TryPeek(out Waiter? head) && head.IsCanceled) _waiters.Dequeue();
        PublishWaiting();
    }

    private void ReturnToPool(Waiter waiter)
    {
        lock (_lock)
            if (_pool.Count < 1024) _pool.Push(waiter);
    }

    /// <summary>One wait for budget; reused once its awaiter has read the outcome.</summary>
    private sealed class Waiter(MemoryBudget owner) : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
        private CancellationTokenRegistration _registration;
        private int _state; // 0 waiting, 1 granted, 2 canceled

        public int Bytes { get; private set; }
        public bool IsCanceled => Volatile.Read(ref _state) == 2;

        public void Start(int bytes)
        {
            Bytes = bytes;
            _state = 0;
            _core.Reset();
        }

        public ValueTask AsValueTask() => new(this, _core.Version);

        public void WatchCancellation(CancellationToken cancellationToken) =>
            _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), this);

        public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Grant()
        {
            _registration.Dispose();
            _core.SetResult(true);
        }

        private void Cancel(CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) != 0) return;
            _core.SetException(new OperationCanceledException(token));
            // A canceled waiter at the head may have been holding back smaller ones behind it.
            owner.Release(0);
        }

        public void GetResult(short token)
        {
            try
            {
                _core.GetResult(token);
            }
            finally
            {
                _registration = default;
                owner.ReturnToPool(this);
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
