namespace KafkaNative;

/// <summary>A message read from a partition, its key and value deserialized.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class ConsumeResult<TKey, TValue>
{
    /// <summary>Creates a result: for tests and mocks of <see cref="IKafkaConsumer{TKey, TValue}"/>, and for adapters that deserialize records themselves.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition index.</param>
    /// <param name="offset">The message's offset.</param>
    /// <param name="timestamp">The message timestamp.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="headers">The headers in order.</param>
    public ConsumeResult(string topic, int partition, long offset, DateTimeOffset timestamp, TKey key, TValue value, IReadOnlyList<RecordHeader> headers)
        : this(topic, partition, offset, timestamp, key, value, headers, -1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(headers);
    }

    internal ConsumeResult(string topic, int partition, long offset, DateTimeOffset timestamp, TKey key, TValue value, IReadOnlyList<RecordHeader> headers, int leaderEpoch)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        Value = value;
        Headers = headers;
        LeaderEpoch = leaderEpoch;
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The partition index.</summary>
    public int Partition { get; }

    /// <summary>The message's offset in its partition.</summary>
    public long Offset { get; }

    /// <summary>The message timestamp (create or log-append time); <see cref="DateTimeOffset.UnixEpoch"/> minus one millisecond when the message has none.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The deserialized key (the deserializer decides what a null key becomes).</summary>
    public TKey Key { get; }

    /// <summary>The deserialized value (the deserializer decides what a null value, a tombstone, becomes).</summary>
    public TValue Value { get; }

    /// <summary>The headers in order; values are copies (null for a null header value).</summary>
    public IReadOnlyList<RecordHeader> Headers { get; }

    /// <summary>The leader epoch of the batch, or -1 when unknown.</summary>
    internal int LeaderEpoch { get; }

    /// <summary>The partition.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>The partition and offset of this message.</summary>
    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);
}
