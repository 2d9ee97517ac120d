namespace KafkaNative.Sim.Storm;

/// <summary>
/// Simulated time in whole microseconds. Integer time keeps event ordering exact and runs reproducible.
/// </summary>
internal sealed class VirtualClock
{
    public const long MicrosPerSecond = 1_000_000;

    public long NowMicros { get; private set; }

    public double NowSeconds => NowMicros / (double)MicrosPerSecond;

    public void AdvanceTo(long micros)
    {
        if (micros < NowMicros)
            throw new InvalidOperationException($"virtual time cannot go backwards ({micros} < {NowMicros})");
        NowMicros = micros;
    }

    public static long FromMilliseconds(double milliseconds) => (long)Math.Round(milliseconds * 1000);

    public static long FromSeconds(double seconds) => (long)Math.Round(seconds * MicrosPerSecond);

    public static double ToMilliseconds(long micros) => micros / 1000.0;
}
