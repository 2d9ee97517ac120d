namespace KafkaNative.Cli.Records;

/// <summary>
/// <c>consume -e</c>: watches the consumer's assigned partitions and cancels <see cref="Reached"/> once every one
/// is read up to the high watermark of its latest fetch, or its last stable offset under read_committed
/// (kcat's end-of-partition; a final transaction marker counts as read), checking after each record
/// and on a short timer (so partitions that receive nothing end too).
/// </summary>
internal sealed class EndOfPartitions<TKey, TValue> : IDisposable
{
    private readonly KafkaConsumer<TKey, TValue> _consumer;
    private readonly CancellationTokenSource _reached = new();
    private readonly Timer _timer;

    public EndOfPartitions(KafkaConsumer<TKey, TValue> consumer)
    {
        _consumer = consumer;
        _timer = new Timer(_ => Check(), null, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
    }

    public CancellationToken Reached => _reached.Token;

    public void Check()
    {
        if (_reached.IsCancellationRequested || !AllAtEnd()) return;
        try
        {
            _reached.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private bool AllAtEnd()
    {
        IReadOnlyList<TopicPartition> assigned = _consumer.Assignment;
        if (assigned.Count == 0) return false;
        try
        {
            // Lag 0: the position at the high watermark, or under read_committed at the last stable offset (as librdkafka's end of partition).
            return assigned.All(p => _consumer.GetLag(p) == 0);
        }
        catch (InvalidOperationException)
        {
            // The assignment changed under us (a rebalance): look again next time.
            return false;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _reached.Dispose();
    }
}
