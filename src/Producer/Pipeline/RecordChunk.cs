using System.Collections.Concurrent;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// Up to <see cref="Capacity"/> records moving from one stage to the next as one channel item, so the
/// channels between stages cost a lock per chunk rather than per record. Pooled; the stage that
/// takes a chunk out of a channel owns it, and returns it once it has passed its records on.
/// </summary>
internal sealed class RecordChunk
{
    public const int Capacity = 256;
    private static readonly ConcurrentQueue<RecordChunk> Pool = new();

    /// <summary>A chunk that carries nothing and only wakes the stage reading it; never pooled.</summary>
    public static readonly RecordChunk Wake = new();

    public PendingRecord[] Records { get; } = new PendingRecord[Capacity];
    public int Count { get; private set; }
    public bool IsFull => Count == Capacity;
    public bool IsWake => ReferenceEquals(this, Wake);

    public static RecordChunk Rent() => Pool.TryDequeue(out RecordChunk? chunk) ? chunk : new RecordChunk();

    public void Add(in PendingRecord record) => Records[Count++] = record;

    /// <summary>Clears the records (so the pool keeps no payloads alive) and pools the chunk.</summary>
    public void Return()
    {
        if (IsWake) return;
        Array.Clear(Records, 0, Count);
        Count = 0;
        if (Pool.Count < 4096) Pool.Enqueue(this);
    }
}
