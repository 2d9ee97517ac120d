namespace KafkaNative.Sim.Storm;

/// <summary>What a chaos event does.</summary>
internal enum FaultAction
{
    /// <summary>Chaos monkey: a broker dies; its queued and in-service requests vanish unanswered.</summary>
    KillBroker,

    /// <summary>Chaos gorilla: every broker of a zone dies at once.</summary>
    KillZone,

    /// <summary>Slow disk or long GC: every request the broker serves takes this much longer, holding a handler, so capacity drops.</summary>
    SlowBroker,

    /// <summary>Latency monkey: the broker's responses arrive this much later; its capacity is unchanged.</summary>
    DelayBroker,

    /// <summary>The broker comes back (as a follower, if it was dead) with normal latency.</summary>
    RestoreBroker,

    RestoreZone,
}

/// <summary>
/// A chaos event at a point of virtual time. A missing broker or zone is drawn from the seeded random, as
/// the chaos monkey picks its victim.
/// </summary>
internal sealed record Fault(double AtSeconds, FaultAction Action, int? BrokerId = null, string? Zone = null, double ExtraLatencyMs = 0)
{
    public static string ActionName(FaultAction action) => action switch
    {
        FaultAction.KillBroker => "kill-broker",
        FaultAction.KillZone => "kill-zone",
        FaultAction.SlowBroker => "slow-broker",
        FaultAction.DelayBroker => "delay-broker",
        FaultAction.RestoreBroker => "restore-broker",
        FaultAction.RestoreZone => "restore-zone",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public static FaultAction ParseAction(string name, string path)
    {
        foreach (var action in Enum.GetValues<FaultAction>())
            if (ActionName(action) == name)
                return action;
        throw new ScenarioFormatException(
            $"{path}: unknown action '{name}' (expected one of {string.Join(", ", Enum.GetValues<FaultAction>().Select(ActionName))})");
    }

    public void Validate(Topology topology, double durationSeconds, string path)
    {
        if (AtSeconds < 0 || AtSeconds > durationSeconds)
            throw new ScenarioFormatException($"{path}.atSeconds must be within 0..{durationSeconds} (the scenario duration), got {AtSeconds}");
        if (BrokerId is { } id && topology.IndexOfBroker(id) < 0)
            throw new ScenarioFormatException($"{path}.broker: no broker {id} in topology '{topology.Name}'");
        if (Zone is { } zone && !topology.Zones.Contains(zone))
            throw new ScenarioFormatException($"{path}.zone: no zone '{zone}' in topology '{topology.Name}'");
        if (ExtraLatencyMs < 0)
            throw new ScenarioFormatException($"{path}.extraLatencyMs must not be negative");
        if (Action is FaultAction.SlowBroker or FaultAction.DelayBroker && ExtraLatencyMs == 0)
            throw new ScenarioFormatException($"{path}: {ActionName(Action)} needs extraLatencyMs");
        if (Action is FaultAction.KillZone or FaultAction.RestoreZone && BrokerId is not null)
            throw new ScenarioFormatException($"{path}: {ActionName(Action)} takes a zone, not a broker");
        if (Action is not (FaultAction.KillZone or FaultAction.RestoreZone) && Zone is not null)
            throw new ScenarioFormatException($"{path}: {ActionName(Action)} takes a broker, not a zone");
    }
}
