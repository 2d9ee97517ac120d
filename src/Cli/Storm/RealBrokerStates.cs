namespace KafkaNative.Sim.Storm;

/// <summary>Which cluster brokers the chaos left dead or slowed, and the steps as they were applied, for the report.</summary>
internal sealed class RealBrokerStates(int brokers)
{
    private readonly bool[] _dead = new bool[brokers];
    private readonly bool[] _slowed = new bool[brokers];
    private readonly List<AppliedFault> _applied = [];

    public IReadOnlyList<AppliedFault> Applied => _applied;

    public bool IsDead(int broker) => _dead[broker];

    public bool IsSlowed(int broker) => _slowed[broker];

    public void Apply(RealChaosStep step, double atSeconds)
    {
        foreach (int broker in step.Brokers)
        {
            _dead[broker] = step.Kind == RealChaosKind.Kill || (_dead[broker] && step.Kind != RealChaosKind.Start);
            _slowed[broker] = step.Kind == RealChaosKind.Latency && step.Latency > TimeSpan.Zero;
        }
        _applied.Add(new AppliedFault(atSeconds, step.Label));
    }
}
