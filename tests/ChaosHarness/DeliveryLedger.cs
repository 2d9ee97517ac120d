using System.Collections.Concurrent;

namespace KafkaNative.Chaos;

/// <summary>
/// What a producer told its caller about each record: acknowledged (with the position it claimed) or
/// failed. The checkers hold these claims against the log; nothing here is trusted on its own.
/// </summary>
public sealed class DeliveryLedger
{
    private readonly ConcurrentQueue<long> _acknowledgedIndexes = new();
    private readonly ConcurrentQueue<(int Partition, long Offset)> _acknowledgedPositions = new();
    private long _acknowledged;
    private long _failed;
    private string? _firstFailure;

    /// <summary>The time between successive acknowledgements.</summary>
    public AckGapClock Gaps { get; } = new();

    /// <summary>Records acknowledged so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Records failed so far.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Why the first failed record failed, or null.</summary>
    public string? FirstFailure => Volatile.Read(ref _firstFailure);

    /// <summary>Indexes of acknowledged records, when the producer says which record it acknowledged (ours does, kcat does not).</summary>
    public IReadOnlyCollection<long> AcknowledgedIndexes => _acknowledgedIndexes;

    /// <summary>Where the producer said each acknowledged record was written.</summary>
    public IReadOnlyCollection<(int Partition, long Offset)> AcknowledgedPositions => _acknowledgedPositions;

    /// <summary>Notes an acknowledgement; <paramref name="index"/> is -1 when the producer does not say which record.</summary>
    public void Acknowledge(long index, int partition, long offset)
    {
        if (index >= 0) _acknowledgedIndexes.Enqueue(index);
        _acknowledgedPositions.Enqueue((partition, offset));
        Interlocked.Increment(ref _acknowledged);
        Gaps.Tick();
    }

    /// <summary>Notes a failed record.</summary>
    public void Fail(string reason)
    {
        Interlocked.CompareExchange(ref _firstFailure, reason, null);
        Interlocked.Increment(ref _failed);
    }
}
