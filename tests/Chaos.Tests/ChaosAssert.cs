namespace KafkaNative.Chaos.Tests;

/// <summary>What every cell asserts about the producer, from its report and the log's audit.</summary>
internal static class ChaosAssert
{
    /// <summary>
    /// The fault met a backlog; every record was acknowledged (every fault is shorter than the delivery
    /// budget) and is in the log exactly once and in order; nothing froze longer than the stall bound.
    /// </summary>
    public static void ProducerHeld(FaultRunReport report, LogAudit audit, int records)
    {
        Assert.True(report.SmallestBacklogAtInjection > ChaosSettings.BacklogRecords,
            $"the fault must strike a backlog of more than 5 batches per partition beyond those in flight ({ChaosSettings.BacklogRecords} records); the smallest was {report.SmallestBacklogAtInjection}");
        Assert.True(report.Failed == 0, $"{report.Failed} records failed under {report.Fault}, shorter than the delivery budget: {report.FirstFailure}");
        Assert.Equal(records, report.Acknowledged);
        Assert.True(audit.Clean, $"the log disagrees under {report.Fault}: {audit}");
        Assert.True(report.LongestAckGap < ChaosSettings.StallBound,
            $"acknowledgements stopped for {report.LongestAckGap.TotalSeconds:F1} s under {report.Fault} (bound {ChaosSettings.StallBound.TotalSeconds} s): a storm or a hang");
    }
}
