namespace KafkaNative.Sim.Storm;

/// <summary>
/// SplitMix64: tiny, fast and fully specified, so a seed gives the same storm on every .NET version
/// (System.Random's seeded sequence is an implementation detail).
/// </summary>
internal sealed class DeterministicRandom(long seed)
{
    private ulong state = (ulong)seed;

    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int Next(int maxExclusive) => (int)(NextDouble() * maxExclusive);

    public double NextExponential(double mean) => -mean * Math.Log(1.0 - NextDouble());
}
