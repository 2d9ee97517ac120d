namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// One fetch's hand-out to feeders, the talk's <c>acks.Wait()</c>: the broker consumer waits until
/// every feeder has taken its share (or given up on it), collecting the partitions to unsubscribe.
/// </summary>
internal sealed class FetchRound
{
    private readonly Lock _lock = new();
    private readonly List<PartitionConsumer> _unsubscribe = [];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending = 1;

    /// <summary>Registers one more share handed out.</summary>
    public void Add() => Interlocked.Increment(ref _pending);

    /// <summary>A feeder is done with its share; <paramref name="unsubscribe"/> drops the partition from the broker consumer.</summary>
    public void Ack(PartitionConsumer partition, bool unsubscribe)
    {
        if (unsubscribe)
        {
            lock (_lock) _unsubscribe.Add(partition);
        }
        Release();
    }

    /// <summary>The broker consumer's own reference, released once every share was handed out.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _pending) == 0) _done.TrySetResult();
    }

    /// <summary>Completes when every share was acknowledged.</summary>
    public Task WhenAllAcknowledged => _done.Task;

    /// <summary>The partitions to unsubscribe; read after <see cref="WhenAllAcknowledged"/>.</summary>
    public List<PartitionConsumer> Unsubscribed => _unsubscribe;
}
