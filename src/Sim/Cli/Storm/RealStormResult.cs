namespace KafkaNative.Sim.Storm;

/// <summary>
/// The outcome of one real run. Amplification is Produce requests the brokers received per record offered,
/// the model's requests per operation needed. Acknowledged counts records the producer reported written by
/// any of the application's calls; succeeded and failed are the application's verdicts.
/// </summary>
internal sealed record RealStormSummary(
    string Scenario, string Config, int Producers, double Seconds, int Offered, int Acknowledged, int Succeeded, int Failed,
    long ProduceRequests, long MetadataRequests, double P50Ms, double P99Ms, int Lost, int Duplicated, int OutOfOrder, int Consumed)
{
    public double Amplification => Offered == 0 ? 0 : (double)ProduceRequests / Offered;

    public double GoodputPerSecond => Succeeded / Seconds;
}

/// <summary>One wall-clock second of a real run: records offered, verdicts, and Produce requests received.</summary>
internal sealed record RealSecond(int Second, long Offered, long Succeeded, long Failed, long ProduceRequests);

/// <summary>A real run: its summary, per-second series and the chaos applied (seconds from the start, label).</summary>
internal sealed record RealStormResult(RealStormSummary Summary, IReadOnlyList<RealSecond> Series, IReadOnlyList<(double AtSeconds, string Label)> Chaos);
