using System.Threading.Tasks.Sources;
using KafkaNative.Protocol;

namespace KafkaNative.Client;

/// <summary>
/// A request from the moment it is queued until its response is handed over: a pooled, reusable
/// <see cref="IValueTaskSource{TResult}"/>, so awaiting a response allocates nothing.
/// </summary>
/// <remarks>
/// Two parties hold it: the sender awaiting the result, and the connection (queue, writer, then the
/// list of requests awaiting responses). Each releases its reference once; the last one returns it
/// to the pool. The first of complete, fail and cancel wins; a response arriving for a cancelled
/// request is discarded.
/// </remarks>
internal sealed class PendingRequest : IValueTaskSource<ResponseFrame>
{
    private const int Waiting = 0;
    private const int Done = 1;

    private readonly PendingRequestPool _pool;
    private ManualResetValueTaskSourceCore<ResponseFrame> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;
    private int _references;

    public PendingRequest(PendingRequestPool pool) => _pool = pool;

    /// <summary>The request to write; cleared once written so the pool does not keep it alive.</summary>
    public IKafkaMessage? Request { get; private set; }

    public ApiKey ApiKey { get; private set; }

    public short Version { get; private set; }

    public short RequestHeaderVersion { get; private set; }

    public int CorrelationId { get; set; }

    /// <summary>Timestamp (of the client's <see cref="TimeProvider"/>) after which the request has timed out.</summary>
    public long Deadline { get; private set; }

    public TimeSpan Timeout { get; private set; }

    /// <summary>False for requests the broker never answers (Produce with acks=0): done once written.</summary>
    public bool ExpectsResponse { get; private set; }

    private CancellationToken _cancellationToken;

    /// <summary>True once a result, failure or cancellation was delivered.</summary>
    public bool IsDone => Volatile.Read(ref _state) != Waiting;

    public ValueTask<ResponseFrame> AsValueTask() => new(this, _core.Version);

    public void Initialize(IKafkaMessage request, ApiKey apiKey, short version, short requestHeaderVersion, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, bool expectsResponse = true)
    {
        ExpectsResponse = expectsResponse;
        Request = request;
        ApiKey = apiKey;
        Version = version;
        RequestHeaderVersion = requestHeaderVersion;
        Timeout = timeout;
        Deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        _cancellationToken = cancellationToken;
        CorrelationId = 0;
        _state = Waiting;
        _references = 2;
    }

    public void MarkWritten() => Request = null;

    public bool TryComplete(ResponseFrame frame)
    {
        if (Interlocked.CompareExchange(ref _state, Done, Waiting) != Waiting) return false;
        _core.SetResult(frame);
        return true;
    }

    public bool TryFail(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _state, Done, Waiting) != Waiting) return false;
        _core.SetException(exception);
        return true;
    }

    /// <summary>Cancellation callback: completes the sender with <see cref="OperationCanceledException"/>.</summary>
    public void Cancel() => TryFail(new OperationCanceledException("The request was cancelled while waiting for its response.", _cancellationToken));

    /// <summary>Drops one of the two references; the last one returns the request to the pool.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        Request = null;
        _cancellationToken = default;
        _core.Reset();
        _pool.Return(this);
    }

    ResponseFrame IValueTaskSource<ResponseFrame>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ResponseFrame>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<ResponseFrame>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>A bounded stack of reusable <see cref="PendingRequest"/>s for one connection.</summary>
internal sealed class PendingRequestPool(int capacity)
{
    private readonly Stack<PendingRequest> _items = new(capacity);

    public PendingRequest Rent()
    {
        lock (_items)
        {
            if (_items.TryPop(out PendingRequest? item)) return item;
        }
        return new PendingRequest(this);
    }

    public void Return(PendingRequest item)
    {
        lock (_items)
        {
            if (_items.Count < capacity) _items.Push(item);
        }
    }
}
