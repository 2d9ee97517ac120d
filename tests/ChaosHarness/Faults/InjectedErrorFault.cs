using KafkaNative.Protocol;

namespace KafkaNative.Chaos;

/// <summary>The busiest broker answers half of the given requests with a retriable error.</summary>
/// <param name="name">The fault's name.</param>
/// <param name="error">The error answered.</param>
/// <param name="apis">The requests that get it.</param>
public sealed class InjectedErrorFault(string name, ErrorCode error, params ApiKey[] apis) : Fault
{
    private const double Rate = 0.5;

    /// <inheritdoc />
    public override string Name => name;

    /// <inheritdoc />
    public override Task InjectAsync(FaultTarget target)
    {
        Victim = target.LeaderOfFirstPartition();
        foreach (ApiKey api in apis) target.Cluster.InjectError(api, error, Rate, Victim);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task HealAsync(FaultTarget target)
    {
        target.Cluster.ClearInjectedErrors();
        return Task.CompletedTask;
    }
}
