namespace KafkaNative.Sim.Storm;

/// <summary>
/// Exponential backoff with jitter: retry n waits min(max, initial * multiplier^(n-1)), of which a random
/// fraction up to <see cref="Jitter"/> is removed so clients that failed together do not retry together.
/// </summary>
internal sealed record Backoff
{
    /// <summary>Retry immediately, as the naive storm-prone clients do.</summary>
    public static Backoff None { get; } = new() { InitialMs = 0, MaxMs = 0 };

    public double InitialMs { get; init; } = 100;

    public double MaxMs { get; init; } = 1_000;

    public double Multiplier { get; init; } = 2;

    /// <summary>0 = no jitter, 1 = full jitter (uniform between 0 and the exponential delay).</summary>
    public double Jitter { get; init; } = 0.5;

    public long DelayMicros(int retry, DeterministicRandom random)
    {
        if (InitialMs <= 0)
            return 0;
        double delay = Math.Min(MaxMs, InitialMs * Math.Pow(Multiplier, retry - 1));
        if (Jitter > 0)
            delay *= 1 - Jitter * random.NextDouble();
        return VirtualClock.FromMilliseconds(delay);
    }

    public void Validate()
    {
        if (InitialMs < 0 || MaxMs < 0)
            throw new ScenarioFormatException("policy.backoff delays must not be negative");
        if (Multiplier < 1)
            throw new ScenarioFormatException($"policy.backoff.multiplier must be at least 1, got {Multiplier}");
        if (Jitter is < 0 or > 1)
            throw new ScenarioFormatException($"policy.backoff.jitter must be within 0..1, got {Jitter}");
    }
}
