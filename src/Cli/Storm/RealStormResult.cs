namespace KafkaNative.Sim.Storm;

/// <summary>
/// The headline numbers of one real run that only a real run has: what the producers acknowledged, what the
/// stored log holds and what the consumer group read back. Amplification is Produce requests the brokers
/// received per record offered, the model's requests per operation needed.
/// </summary>
internal sealed record RealStormSummary(
    string Scenario, string Config, int Producers, double Seconds, int Offered, int Acknowledged, int Succeeded, int Failed,
    long ProduceRequests, long ClientProduceRequests, long MetadataRequests, double P50Ms, double P99Ms,
    int Lost, int Duplicated, int OutOfOrder, int Consumed, long TimersFired, TimeSpan WallTime)
{
    public double Amplification => Offered == 0 ? 0 : (double)ProduceRequests / Offered;

    public double GoodputPerSecond => Succeeded / Seconds;
}

/// <summary>A real run: the same shape as a modelled one, for the report, and what only a real run can tell.</summary>
internal sealed record RealStormResult(StormResult Run, RealStormSummary Summary);
