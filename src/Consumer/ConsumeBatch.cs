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

    /// <summary>Creates a batch of <paramref name="messages"/>: for tests and mocks, and for adapters that deserialize records themselves.</summary>
    /// <param name="partition">The partition all the messages come from.</param>
    /// <param name="messages">The messages in offset order; at least one.</param>
    /// <exception cref="ArgumentException">There are no messages, or one is from another partition.</exception>
    public ConsumeBatch(TopicPartition partition, ConsumeResult<TKey, TValue>[] messages)
        : this(partition, messages, 0, messages?.Length ?? 0)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Length == 0) throw new ArgumentException("A batch holds at least one message.", nameof(messages));
        if (messages.Any(m => m is null || m.Topic != partition.Topic || m.Partition != partition.Partition))
            throw new ArgumentException($"Every message must come from {partition}.", nameof(messages));
    }

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
