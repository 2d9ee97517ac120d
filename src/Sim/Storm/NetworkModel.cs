namespace KafkaNative.Sim.Storm;

/// <summary>One-way network delay between a client and a broker, by how far apart they are.</summary>
internal sealed record NetworkModel
{
    public double SameZoneMs { get; init; } = 0.25;

    public double CrossZoneMs { get; init; } = 1.0;

    public double CrossRegionMs { get; init; } = 30.0;

    /// <summary>Uniform jitter as a fraction of the delay (0.1 = up to 10 % longer).</summary>
    public double Jitter { get; init; } = 0.1;

    public void Validate()
    {
        if (SameZoneMs < 0 || CrossZoneMs < 0 || CrossRegionMs < 0)
            throw new ScenarioFormatException("network delays must not be negative");
        if (Jitter is < 0 or > 1)
            throw new ScenarioFormatException($"network.jitter must be within 0..1, got {Jitter}");
    }
}
