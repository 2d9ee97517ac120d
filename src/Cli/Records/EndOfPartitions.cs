namespace KafkaNative.Cli.Records;

/// <summary>
/// <c>consume -e</c>: watches the consumer's assigned partitions and cancels <see cref="Reached"/> once every one
/// is read up to the high watermark of its latest fetch (kcat's end-of-partition), checking after each record
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
            return assigned.All(p => _consumer.GetWatermarkOffsets(p).High is long high && high >= 0 && _consumer.Position(p) is long position && position >= high);
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
