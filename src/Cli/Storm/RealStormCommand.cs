namespace KafkaNative.Sim.Storm;

/// <summary>
/// <c>storm --real</c>: every scenario is played once per <see cref="RealClientConfig"/>, each on a fresh cluster so
/// request counts are its own, on virtual time (or the wall clock with <c>--wall-clock</c>). Beside each real run the
/// model plays the same storm twice, with the policy the configuration stood for in the catalogue and with the policy
/// calibrated to it, so the comparison table shows how close the model's client comes to ours. Every run gets the
/// same files and HTML report as a modelled one.
/// </summary>
internal static class RealStormCommand
{
    public const int DefaultProducers = 4;

    /// <summary>Seconds a wall-clock run lasts unless <c>--seconds</c> says otherwise; a virtual run lasts the scenario's duration.</summary>
    public const double DefaultWallClockSeconds = 15;

    /// <summary>Records offered per second by all producers of one configuration together, unless <c>--rate</c> says otherwise.</summary>
    public const double DefaultRecordsPerSecond = 200;

    /// <summary>Where virtual time starts: fixed, so record timestamps repeat with the seed.</summary>
    private static readonly DateTimeOffset VirtualEpoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(IReadOnlyList<Scenario> scenarios, StormOptions options, TextWriter output, CancellationToken ct)
    {
        int producers = options.Clients ?? DefaultProducers;
        double rate = options.RealRate ?? DefaultRecordsPerSecond;
        var runs = new List<StormResult>();
        var reals = new List<RealStormSummary>();
        foreach (var scenario in scenarios)
        {
            var settings = new RealRunSettings(producers, options.RealSeconds ?? (options.WallClock ? DefaultWallClockSeconds : scenario.DurationSeconds), rate);
            var chaos = RealChaos.Plan(scenario, settings.Seconds);
            foreach (var config in RealClientConfig.All)
            {
                ct.ThrowIfCancellationRequested();
                var result = await PlayAsync(scenario, config, settings, chaos, options.WallClock, ct);
                runs.Add(result.Run);
                reals.Add(result.Summary);
                runs.Add(RealModelTwin.Run(scenario, settings, chaos, config.Catalogued));
                runs.Add(RealModelTwin.Run(scenario, settings, chaos, config.Calibrated));
                string applied = result.Run.Faults.Count == 0 ? "no chaos" : string.Join("; ", result.Run.Faults.Select(c => $"{c.Label} at {c.AtSeconds:0.0} s"));
                string clock = options.WallClock ? "wall clock" : $"virtual time in {result.Summary.WallTime.TotalSeconds:0.0} s";
                await output.WriteLineAsync($"{scenario.Name} [{config.Name}]: {producers} real producers, {rate:0.#} records/s for {settings.Seconds:0.#} s of {clock}, {applied}");
            }
        }

        await output.WriteLineAsync();
        await output.WriteAsync(StormReport.SummaryTable(runs.Select(r => r.Summary).ToList()));
        await output.WriteLineAsync();
        await output.WriteAsync(RealStormReport.SummaryTable(reals));
        var written = StormOutput.WriteAll(runs, options.OutputDirectory).ToList();
        written.AddRange(RealStormReport.Write(reals, options.OutputDirectory));
        await output.WriteLineAsync();
        await output.WriteLineAsync($"wrote {written.Count} files under {Path.GetFullPath(options.OutputDirectory)}");
        return 0;
    }

    /// <summary>One real run: on the wall clock as it is, or on a fresh virtual clock driven until the run ends.</summary>
    public static Task<RealStormResult> PlayAsync(
        Scenario scenario, RealClientConfig config, RealRunSettings settings, IReadOnlyList<RealChaosStep> chaos, bool wallClock, CancellationToken ct)
    {
        if (wallClock)
            return new RealStormRun(scenario, config, settings, TimeProvider.System).RunAsync(chaos, ct);
        var time = new VirtualTimeProvider(VirtualEpoch);
        return new VirtualTimeDriver(time).RunAsync(() => new RealStormRun(scenario, config, settings, time).RunAsync(chaos, ct), ct);
    }
}
