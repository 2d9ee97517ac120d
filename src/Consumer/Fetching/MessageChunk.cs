namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// Up to <see cref="Capacity"/> messages of one partition, handed from its feeder to the application
/// as one queue item; or an error to report at that point of the stream.
/// </summary>
internal sealed class MessageChunk<TKey, TValue>
{
    public const int Capacity = 256;

    public ConsumeResult<TKey, TValue>[] Items { get; } = new ConsumeResult<TKey, TValue>[Capacity];

    public int Count { get; set; }

    /// <summary>Where the application is in <see cref="Items"/>.</summary>
    public int Next { get; set; }

    /// <summary>The partition's version when decoded; a seek, pause or reset since makes the chunk stale.</summary>
    public int Version { get; set; }

    /// <summary>An error to throw once the messages before it were read.</summary>
    public Exception? Error { get; set; }

    /// <summary>The offset to continue at after the error (past a message that failed to deserialize), or -1.</summary>
    public long ErrorNextOffset { get; set; } = -1;

    /// <summary>
    /// Where the partition's position moves once every message (and the error) of the chunk is consumed,
    /// when the fetch went on past its last message with records the application never sees (control
    /// batches, aborted transactions under read_committed, records removed by compaction); or -1. A chunk
    /// with no message carries just that: a fetch whose records were all skipped.
    /// </summary>
    public long EndOffset { get; set; } = -1;

    /// <summary>The leader epoch of the last batch before <see cref="EndOffset"/>, or -1.</summary>
    public int EndEpoch { get; set; } = -1;

    public bool IsFull => Count == Capacity;

    public void Clear()
    {
        Array.Clear(Items, 0, Count);
        Count = 0;
        Next = 0;
        Error = null;
        ErrorNextOffset = -1;
        EndOffset = -1;
        EndEpoch = -1;
    }
}
