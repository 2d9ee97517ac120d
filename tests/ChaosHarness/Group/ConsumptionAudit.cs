namespace KafkaNative.Chaos;

/// <summary>
/// Checks what the group read against the stored log: every stored record read by some member, each
/// read holding what the log holds at that position, and re-reads only above committed positions:
/// a member that starts reading a partition (after an assignment, or a jump) must start at or above
/// every offset committed for it before that moment.
/// </summary>
public sealed class ConsumptionAudit
{
    private const int Examples = 5;
    private readonly List<string> _problems = [];
    private string _readsByMember = "";

    private ConsumptionAudit()
    {
    }

    /// <summary>Stored records no member read.</summary>
    public long Unread { get; private set; }

    /// <summary>Reads whose value differs from the log's at that position, or of positions the log does not hold.</summary>
    public long Misread { get; private set; }

    /// <summary>Reading runs that started below an offset already committed for their partition.</summary>
    public long RereadsBelowCommitted { get; private set; }

    /// <summary>Positions read more than once (allowed above the committed position; for information).</summary>
    public long Duplicates { get; private set; }

    /// <summary>True when the group read everything, correctly, re-reading only uncommitted records.</summary>
    public bool Clean => Unread == 0 && Misread == 0 && RereadsBelowCommitted == 0;

    /// <summary>Audits <paramref name="log"/> against the records <paramref name="stored"/> in the topic.</summary>
    public static ConsumptionAudit Check(ConsumptionLog log, IReadOnlyDictionary<(int Partition, long Offset), long> stored)
    {
        var audit = new ConsumptionAudit();
        var readCount = new Dictionary<(int, long), int>();
        foreach (ConsumedRecord read in log.Reads)
        {
            readCount[(read.Partition, read.Offset)] = readCount.GetValueOrDefault((read.Partition, read.Offset)) + 1;
            if (!stored.TryGetValue((read.Partition, read.Offset), out long index) || index != read.Index)
                audit.Problem(() => audit.Misread++, $"{read.Member} read record {read.Index} at partition {read.Partition} offset {read.Offset}, the log holds {(stored.ContainsKey((read.Partition, read.Offset)) ? index : "nothing")}");
        }
        foreach ((int partition, long offset) in stored.Keys)
            if (!readCount.ContainsKey((partition, offset))) audit.Problem(() => audit.Unread++, $"nobody read partition {partition} offset {offset}");
        audit.Duplicates = readCount.Values.Count(c => c > 1);
        audit._readsByMember = string.Join(", ", log.Reads.GroupBy(r => r.Member).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));
        audit.CheckRunStarts(log);
        return audit;
    }

    private void CheckRunStarts(ConsumptionLog log)
    {
        CommittedOffset[] commits = [.. log.Commits];
        foreach (var reads in log.Reads.GroupBy(r => (r.Member, r.Partition)))
        {
            long previous = long.MinValue;
            foreach (ConsumedRecord read in reads)
            {
                if (read.Offset != previous + 1)
                {
                    long committed = commits.Where(c => c.Partition == read.Partition && c.Timestamp < read.Timestamp).Select(c => c.Offset).DefaultIfEmpty(-1).Max();
                    if (read.Offset < committed)
                        Problem(() => RereadsBelowCommitted++, $"{read.Member} started reading partition {read.Partition} at offset {read.Offset}, below committed offset {committed}");
                }
                previous = read.Offset;
            }
        }
    }

    private void Problem(Action count, string example)
    {
        count();
        if (_problems.Count < Examples) _problems.Add(example);
    }

    /// <summary>The counts and the first few problems.</summary>
    public override string ToString() =>
        $"reads ({_readsByMember}), unread {Unread}, misread {Misread}, re-reads below committed {RereadsBelowCommitted}, duplicates {Duplicates}"
        + (_problems.Count > 0 ? "; e.g. " + string.Join("; ", _problems) : "");
}
