using System.Threading.Tasks.Sources;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// The one object <see cref="KafkaProducer{TKey, TValue}.ProduceAsync(string, TKey, TValue, RecordHeader[], CancellationToken)"/>
/// allocates per record: the source of the <see cref="ValueTask{DeliveryResult}"/> it returns.
/// Continuations run asynchronously so user code never runs on a pipeline task.
/// </summary>
internal sealed class DeliveryPromise : IValueTaskSource<DeliveryResult>
{
    private ManualResetValueTaskSourceCore<DeliveryResult> _core = new() { RunContinuationsAsynchronously = true };
    private int _completed;

    public ValueTask<DeliveryResult> Task => new(this, _core.Version);

    public void Succeed(in DeliveryResult result)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0) _core.SetResult(result);
    }

    public void Fail(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0) _core.SetException(error);
    }

    public DeliveryResult GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
