using System.Globalization;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// The storm command line, parsed: which scenarios to run and what to override. <see cref="Real"/> runs the real
/// producer against the wire-level cluster for <see cref="RealSeconds"/> (default: the scenario's duration on
/// virtual time, 15 s with <see cref="WallClock"/>), offering <see cref="RealRate"/> records per second per client
/// configuration, beside the model.
/// </summary>
internal sealed record StormOptions(
    IReadOnlyList<string> Scenarios, int? Clients, long? Seed, double? DurationSeconds, string OutputDirectory, bool Real = false, double? RealSeconds = null,
    double? RealRate = null, bool WallClock = false)
{
    /// <summary>Most real producers per configuration: each is a full client with its own connections.</summary>
    public const int MaxRealClients = 64;

    public const string Usage =
        "usage: storm --scenario NAME|FILE|all|NAME,NAME... [--clients N] [--seed S] [--duration SECONDS] [--out DIR]\n" +
        "       storm --scenario NAME|FILE|all|NAME,NAME... --real [--wall-clock] [--clients N] [--seconds SECONDS] [--rate RECORDS] [--seed S] [--out DIR]";

    public static StormOptions Parse(IReadOnlyList<string> args)
    {
        string? scenarios = null;
        int? clients = null;
        long? seed = null;
        double? duration = null;
        string output = "storm-out";
        bool real = false;
        double? realSeconds = null;
        double? realRate = null;
        bool wallClock = false;
        for (int index = 0; index < args.Count; index++)
        {
            string option = args[index];
            string Value() => index + 1 < args.Count && !args[index + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++index]
                : throw new StormUsageException($"{option} needs a value");
            switch (option)
            {
                case "--scenario":
                    scenarios = Value();
                    break;
                case "--clients":
                    string clientText = Value();
                    clients = int.TryParse(clientText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) && count is >= 1 and <= Scenario.MaxClients
                        ? count
                        : throw new StormUsageException($"--clients must be a whole number within 1..{Scenario.MaxClients:N0}, got '{clientText}'");
                    break;
                case "--seed":
                    string seedText = Value();
                    seed = long.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsedSeed)
                        ? parsedSeed
                        : throw new StormUsageException($"--seed must be a whole number, got '{seedText}'");
                    break;
                case "--duration":
                    string durationText = Value();
                    duration = double.TryParse(durationText, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is > 0 and <= 86_400
                        ? seconds
                        : throw new StormUsageException($"--duration must be seconds within (0, 86400], got '{durationText}'");
                    break;
                case "--out":
                    output = Value();
                    break;
                case "--real":
                    real = true;
                    break;
                case "--wall-clock":
                    wallClock = true;
                    break;
                case "--seconds":
                    string secondsText = Value();
                    realSeconds = double.TryParse(secondsText, NumberStyles.Float, CultureInfo.InvariantCulture, out double wall) && wall is >= 2 and <= 3_600
                        ? wall
                        : throw new StormUsageException($"--seconds must be seconds within [2, 3600], got '{secondsText}'");
                    break;
                case "--rate":
                    string rateText = Value();
                    realRate = double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && rate is >= 1 and <= 100_000
                        ? rate
                        : throw new StormUsageException($"--rate must be records per second within [1, 100000], got '{rateText}'");
                    break;
                default:
                    throw new StormUsageException($"unknown option '{option}'");
            }
        }
        if (scenarios is null)
            throw new StormUsageException("--scenario is required");
        var names = scenarios.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
            throw new StormUsageException("--scenario names no scenario");
        if (realSeconds is not null && !real)
            throw new StormUsageException("--seconds needs --real (the model takes --duration)");
        if (wallClock && !real)
            throw new StormUsageException("--wall-clock needs --real (the model always runs on virtual time)");
        if (realRate is not null && !real)
            throw new StormUsageException("--rate needs --real (a scenario sets the model's load)");
        if (real && duration is not null)
            throw new StormUsageException("--duration is virtual time; with --real use --seconds");
        if (real && clients > MaxRealClients)
            throw new StormUsageException($"--clients with --real must be within 1..{MaxRealClients} (real producers per configuration), got {clients}");
        return new StormOptions(names, clients, seed, duration, output, real, realSeconds, realRate, wallClock);
    }
}

/// <summary>A command line the storm command cannot act on.</summary>
internal sealed class StormUsageException(string message) : Exception(message);
