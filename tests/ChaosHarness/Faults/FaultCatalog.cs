using KafkaNative.Protocol;

namespace KafkaNative.Chaos;

/// <summary>Every fault of the matrix, by name.</summary>
public static class FaultCatalog
{
    private static readonly Dictionary<string, Func<Fault>> Factories = new(StringComparer.Ordinal)
    {
        ["stop-start"] = () => new StopStartFault(),
        ["kill-restart"] = () => new KillRestartFault(),
        ["leader-move"] = () => new LeaderMoveFault(),
        ["drop-connections"] = () => new DropConnectionsFault(),
        ["stall-under-timeout"] = () => new StallFault(),
        ["latency-over-timeout"] = () => new LatencyFault(),
        ["not-leader"] = () => new InjectedErrorFault("not-leader", ErrorCode.NotLeaderOrFollower, ApiKey.Produce, ApiKey.Fetch),
        ["not-enough-replicas"] = () => new InjectedErrorFault("not-enough-replicas", ErrorCode.NotEnoughReplicas, ApiKey.Produce),
        ["request-timed-out"] = () => new InjectedErrorFault("request-timed-out", ErrorCode.RequestTimedOut, ApiKey.Produce),
        ["coordinator-move"] = () => new CoordinatorMoveFault(),
    };

    /// <summary>Every fault name, in matrix order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys];

    /// <summary>The faults a producer notices.</summary>
    public static IReadOnlyList<string> ProducerFaults { get; } = [.. Names.Where(n => Create(n).AffectsProducers)];

    /// <summary>A fresh fault.</summary>
    /// <exception cref="ArgumentException">No fault has that name.</exception>
    public static Fault Create(string name) =>
        Factories.TryGetValue(name, out Func<Fault>? create) ? create()
        : throw new ArgumentException($"Unknown fault '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
}
