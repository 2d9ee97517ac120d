namespace KafkaNative.Sim.Storm;

/// <summary>
/// Entry point of <c>storm</c>: runs one or more storm scenarios on the virtual clock, prints a comparison
/// table and writes, per scenario, the topology (GraphJSON, GraphML), the metrics (JSON, CSV) and an HTML report.
/// </summary>
public static class StormCommand
{
    /// <summary>
    /// Runs the scenarios named by <c>--scenario NAME|FILE|all|NAME,NAME...</c>, with optional
    /// <c>--clients N</c>, <c>--seed S</c>, <c>--duration SECONDS</c> and <c>--out DIR</c> (default storm-out).
    /// With <c>--real [--wall-clock] [--seconds S]</c> the scenarios' chaos is played against the wire-level
    /// simulated cluster with real KafkaNative producers and a consumer group, on virtual time unless
    /// <c>--wall-clock</c>, beside modelled twins of each run.
    /// </summary>
    /// <returns>0 on success, 2 when the arguments or a scenario file are invalid.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct)
    {
        StormOptions options;
        List<Scenario> scenarios;
        try
        {
            options = StormOptions.Parse(args);
            scenarios = options.Scenarios.SelectMany(Resolve).Select(scenario => ApplyOverrides(scenario, options)).ToList();
            scenarios.ForEach(scenario => scenario.Validate());
        }
        catch (Exception e) when (e is StormUsageException or ScenarioFormatException)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            await output.WriteLineAsync(StormOptions.Usage);
            await output.WriteLineAsync($"built-in scenarios: {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))}");
            return 2;
        }

        if (options.Real && !options.WallClock && !SingleWorkerProcess.IsCurrent)
            return await SingleWorkerProcess.RunAsync(args, output, ct);
        if (options.Real)
            return await RealStormCommand.RunAsync(scenarios, options, output, ct);

        var results = new List<StormResult>();
        foreach (var scenario in scenarios)
        {
            ct.ThrowIfCancellationRequested();
            var result = new StormSimulation(scenario).Run();
            results.Add(result);
            await output.WriteLineAsync(
                $"{scenario.Name}: {result.Summary.Events:N0} events, {result.Summary.RequestsSent:N0} requests, {scenario.Clients:N0} clients, " +
                $"{scenario.DurationSeconds:0.#} s virtual in {result.WallTime.TotalSeconds:0.00} s");
        }

        await output.WriteLineAsync();
        await output.WriteAsync(StormReport.SummaryTable(results.Select(r => r.Summary).ToList()));
        var written = StormOutput.WriteAll(results, options.OutputDirectory);
        await output.WriteLineAsync();
        await output.WriteLineAsync($"wrote {written.Count} files under {Path.GetFullPath(options.OutputDirectory)}");
        return 0;
    }

    private static IEnumerable<Scenario> Resolve(string name)
    {
        if (name.Equals("all", StringComparison.OrdinalIgnoreCase))
            return ScenarioCatalog.All;
        if (ScenarioCatalog.Find(name) is { } builtIn)
            return [builtIn];
        if (File.Exists(name))
            return [ScenarioParser.ParseFile(name)];
        throw new StormUsageException($"unknown scenario '{name}': not a built-in name and no such file");
    }

    // A real run keeps the scenario's virtual duration to scale its chaos onto --seconds, and its client count is the producers'.
    private static Scenario ApplyOverrides(Scenario scenario, StormOptions options)
    {
        if (options.Real)
            return scenario with { Seed = options.Seed ?? scenario.Seed };
        return (options.DurationSeconds is { } seconds ? scenario.WithDuration(seconds) : scenario) with
        {
            Clients = options.Clients ?? scenario.Clients,
            Seed = options.Seed ?? scenario.Seed,
        };
    }
}
