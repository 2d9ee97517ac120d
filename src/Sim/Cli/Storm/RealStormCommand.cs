namespace KafkaNative.Sim.Storm;

/// <summary>
/// <c>storm --real</c>: every scenario is played once per <see cref="RealClientConfig"/>, each on a fresh cluster so
/// request counts are its own, then the comparison table is printed and written with the per-run series.
/// </summary>
internal static class RealStormCommand
{
    public const int DefaultProducers = 4;
    public const double DefaultSeconds = 15;

    /// <summary>Records offered per second by all producers of one configuration together, unless <c>--rate</c> says otherwise.</summary>
    public const double DefaultRecordsPerSecond = 200;

    public static async Task<int> RunAsync(IReadOnlyList<Scenario> scenarios, StormOptions options, TextWriter output, CancellationToken ct)
    {
        int producers = options.Clients ?? DefaultProducers;
        double seconds = options.RealSeconds ?? DefaultSeconds;
        double rate = options.RealRate ?? DefaultRecordsPerSecond;
        var results = new List<RealStormResult>();
        foreach (var scenario in scenarios)
        {
            var chaos = RealChaos.Plan(scenario, seconds);
            foreach (var config in RealClientConfig.All)
            {
                ct.ThrowIfCancellationRequested();
                var result = await new RealStormRun(scenario, config, producers, seconds, rate).RunAsync(chaos, ct);
                results.Add(result);
                string applied = result.Chaos.Count == 0 ? "no chaos" : string.Join("; ", result.Chaos.Select(c => $"{c.Label} at {c.AtSeconds:0.0} s"));
                await output.WriteLineAsync($"{scenario.Name} [{config.Name}]: {producers} real producers, {rate:0.#} records/s for {seconds:0.#} s wall clock, {applied}");
            }
        }

        await output.WriteLineAsync();
        await output.WriteAsync(RealStormReport.SummaryTable(results.Select(r => r.Summary).ToList()));
        var written = RealStormReport.WriteAll(results, options.OutputDirectory);
        await output.WriteLineAsync();
        await output.WriteLineAsync($"wrote {written.Count} files under {Path.GetFullPath(options.OutputDirectory)}");
        return 0;
    }
}
