namespace KafkaNative.Bench;

/// <summary>
/// One client's run in one round of <c>compare</c>: what was measured from outside the child, what it
/// reported of its own loop (null for kcat), and what the in-process cluster spent. One JSON line of --json.
/// </summary>
internal sealed record StepResult(
    int Round, int Position, string Client, string Workload, int Messages, int Size, string Compression, int Partitions,
    bool Ok, string? Error, long Counted, double WallSeconds, double CpuSeconds, long? PeakRssKiB, double BrokerCpuSeconds, InLoopFigures? InLoop,
    long Requests = 0, int Transactions = 0)
{
    /// <summary>A step that could not run at all (its cluster, its fill or its child failed), as a failed result.</summary>
    public static StepResult Broken(CompareSettings settings, string client, int round, int position, Exception error) =>
        new(round, position, client, settings.Workload, settings.Messages, settings.Size, settings.Compression, settings.Partitions,
            false, $"{error.GetType().Name}: {error.Message}", 0, 0, 0, null, 0, null);

    public double WholeMsgsPerSec => WallSeconds > 0 ? Math.Round(Messages / WallSeconds) : 0;

    public double WholeCpuUsPerMsg => Math.Round(CpuSeconds * 1e6 / Messages, 3);

    public double? PeakRssMiB => PeakRssKiB is long kib ? Math.Round(kib / 1024.0, 1) : null;

    public double? InLoopMsgsPerSec => InLoop is { Seconds: > 0 } loop ? Math.Round(Messages / loop.Seconds) : null;

    public double? InLoopCpuUsPerMsg => InLoop?.CpuUsPerMsg;

    public double BrokerUsPerMsg => Math.Round(BrokerCpuSeconds * 1e6 / Messages, 3);

    public double? AllocBytesPerMsg => InLoop?.AllocBytesPerMsg;

    /// <summary>Transactions (committed and aborted) per second of the whole process; null without transactions.</summary>
    public double? WholeTxnsPerSec => Transactions > 0 && WallSeconds > 0 ? Math.Round(Transactions / WallSeconds, 1) : null;

    /// <summary>Transactions per second of the child's own loop; null without transactions.</summary>
    public double? InLoopTxnsPerSec => Transactions > 0 && InLoop is { Seconds: > 0 } loop ? Math.Round(Transactions / loop.Seconds, 1) : null;

    /// <summary>Records per Produce (or Fetch) request the cluster received.</summary>
    public double? MsgsPerRequest => Requests > 0 ? Math.Round((double)Messages / Requests) : null;
}
