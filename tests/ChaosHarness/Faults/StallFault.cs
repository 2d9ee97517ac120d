namespace KafkaNative.Chaos;

/// <summary>The busiest broker answers nothing for half the request timeout: requests must wait, not time out and retry.</summary>
public sealed class StallFault : Fault
{
    /// <inheritdoc />
    public override string Name => "stall-under-timeout";

    /// <inheritdoc />
    public override TimeSpan Hold => ChaosSettings.RequestTimeout / 2;

    /// <inheritdoc />
    public override Task InjectAsync(FaultTarget target)
    {
        Victim = target.LeaderOfFirstPartition();
        target.Cluster.SetStalled(Victim, true);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target)
    {
        target.Cluster.SetStalled(Victim, false);
        return Task.CompletedTask;
    }
}
