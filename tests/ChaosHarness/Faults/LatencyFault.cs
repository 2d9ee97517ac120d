namespace KafkaNative.Chaos;

/// <summary>Every answer of the busiest broker comes a second after the request timeout, for as long again.</summary>
public sealed class LatencyFault : Fault
{
    private static readonly TimeSpan Latency = ChaosSettings.RequestTimeout + TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public override string Name => "latency-over-timeout";

    /// <inheritdoc />
    public override TimeSpan Hold => Latency;

    /// <inheritdoc />
    public override Task InjectAsync(FaultTarget target)
    {
        Victim = target.LeaderOfFirstPartition();
        target.Cluster.SetLatency(Victim, Latency);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target)
    {
        target.Cluster.SetLatency(Victim, TimeSpan.Zero);
        return Task.CompletedTask;
    }
}
