namespace KafkaNative.Chaos;

/// <summary>
/// How far a producer workload may go: records below the limit pass, the next one waits until the
/// fault run opens further. It lets a short run meet several fault cycles with the stream still
/// flowing, without throttling the producer between gates.
/// </summary>
public sealed class StreamGate
{
    private readonly Lock _lock = new();
    private long _limit;
    private TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Records below this index pass.</summary>
    public long Limit => Volatile.Read(ref _limit);

    /// <summary>Completes at once while <paramref name="index"/> is below the limit; otherwise once it is not.</summary>
    public ValueTask PassAsync(long index) => index < Volatile.Read(ref _limit) ? ValueTask.CompletedTask : WaitAsync(index);

    /// <summary>Lets records below <paramref name="limit"/> through.</summary>
    public void OpenTo(long limit)
    {
        TaskCompletionSource opened;
        lock (_lock)
        {
            if (limit <= _limit) return;
            Volatile.Write(ref _limit, limit);
            opened = _opened;
            _opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        opened.SetResult();
    }

    private async ValueTask WaitAsync(long index)
    {
        while (true)
        {
            Task opened;
            lock (_lock)
            {
                if (index < _limit) return;
                opened = _opened.Task;
            }
            await opened;
        }
    }
}
