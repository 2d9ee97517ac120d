namespace KafkaNative.Sim.Storm;

/// <summary>The load of a real run: how many producers offer how many records per second, together, for how long.</summary>
internal sealed record RealRunSettings(int Producers, double Seconds, double RecordsPerSecond);
