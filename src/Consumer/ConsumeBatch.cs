namespace KafkaNative;

/// <summary>
/// Consecutive messages of one partition, as <see cref="KafkaConsumer{TKey, TValue}.ConsumeBatchesAsync"/>
/// hands them out: a view over the consumer's own buffer, valid until the loop asks for the next batch
/// (copy what you keep). A struct, so handing one out allocates nothing.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly struct ConsumeBatch<TKey, TValue>
{
    private readonly ConsumeResult<TKey, TValue>[] _items;
    private readonly int _start;

    internal ConsumeBatch(TopicPartition partition, ConsumeResult<TKey, TValue>[] items, int start, int count)
    {
        TopicPartition = partition;
        _items = items;
        _start = start;
        Count = count;
    }

    /// <summary>The partition all the messages come from.</summary>
    public TopicPartition TopicPartition { get; }

    /// <summary>How many messages the batch holds (at least one).</summary>
    public int Count { get; }

    /// <summary>The messages in offset order.</summary>
    public ReadOnlySpan<ConsumeResult<TKey, TValue>> Messages => _items.AsSpan(_start, Count);

    /// <summary>The message at <paramref name="index"/>.</summary>
    /// <param name="index">From 0 to <see cref="Count"/> - 1.</param>
    public ConsumeResult<TKey, TValue> this[int index] => Messages[index];

    /// <summary>The offset of the last message; the partition's next position is this + 1.</summary>
    public long LastOffset => _items[_start + Count - 1].Offset;

    /// <summary>Enumerates the messages without allocating (<c>foreach (var m in batch)</c>).</summary>
    public ReadOnlySpan<ConsumeResult<TKey, TValue>>.Enumerator GetEnumerator() => Messages.GetEnumerator();
}
