using System.Collections.Concurrent;
using System.Diagnostics;

namespace KafkaNative.Chaos;

/// <summary>A record a group member read, and when.</summary>
/// <param name="Member">Which member.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset.</param>
/// <param name="Index">The workload record the value encodes, or -1.</param>
/// <param name="Timestamp">When it was read (<see cref="Stopwatch.GetTimestamp"/>).</param>
public readonly record struct ConsumedRecord(string Member, int Partition, long Offset, long Index, long Timestamp);

/// <summary>An offset a member committed successfully, and when the commit returned.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The next offset to read.</param>
/// <param name="Timestamp">When the commit was acknowledged (<see cref="Stopwatch.GetTimestamp"/>).</param>
public readonly record struct CommittedOffset(int Partition, long Offset, long Timestamp);

/// <summary>Everything the group's members read and committed, for <see cref="ConsumptionAudit"/>.</summary>
public sealed class ConsumptionLog
{
    private readonly ConcurrentQueue<ConsumedRecord> _reads = new();
    private readonly ConcurrentQueue<CommittedOffset> _commits = new();
    private readonly ConcurrentDictionary<(int Partition, long Offset), byte> _seen = new();
    private readonly ConcurrentDictionary<int, (long Offset, string Member)> _furthest = new();

    /// <summary>Every read, in arrival order per member.</summary>
    public IReadOnlyCollection<ConsumedRecord> Reads => _reads;

    /// <summary>Every successful commit by our members (kcat's commits are its own business).</summary>
    public IReadOnlyCollection<CommittedOffset> Commits => _commits;

    /// <summary>Distinct positions read so far.</summary>
    public int DistinctSeen => _seen.Count;

    /// <summary>True when some member read this position.</summary>
    public bool HasSeen(int partition, long offset) => _seen.ContainsKey((partition, offset));

    /// <summary>Notes a read.</summary>
    public void Read(string member, int partition, long offset, long index)
    {
        _reads.Enqueue(new ConsumedRecord(member, partition, offset, index, Stopwatch.GetTimestamp()));
        _seen.TryAdd((partition, offset), 0);
        _furthest.AddOrUpdate(partition, (offset, member), (_, was) => offset > was.Offset ? (offset, member) : was);
    }

    /// <summary>The furthest offset read in <paramref name="partition"/> and by whom, or null when nothing was read there.</summary>
    public (long Offset, string Member)? Furthest(int partition) => _furthest.TryGetValue(partition, out var furthest) ? furthest : null;

    /// <summary>Notes a successful commit.</summary>
    public void Committed(int partition, long offset) => _commits.Enqueue(new CommittedOffset(partition, offset, Stopwatch.GetTimestamp()));
}
