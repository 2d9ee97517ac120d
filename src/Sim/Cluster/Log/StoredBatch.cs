namespace KafkaNative.Sim.Log;

/// <summary>Where one stored batch lives in its segment, with the header fields lookups need.</summary>
internal readonly record struct StoredBatch(long BaseOffset, long LastOffset, long MaxTimestamp, int LeaderEpoch, byte[] Segment, int Position, int Length)
{
    public ReadOnlyMemory<byte> Bytes => Segment.AsMemory(Position, Length);

    public long NextOffset => LastOffset + 1;
}
