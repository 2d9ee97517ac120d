using System.Globalization;

namespace KafkaNative.Sim.Storm;

/// <summary>The storm command line, parsed: which scenarios to run and what to override.</summary>
internal sealed record StormOptions(IReadOnlyList<string> Scenarios, int? Clients, long? Seed, double? DurationSeconds, string OutputDirectory)
{
    public const string Usage =
        "usage: storm --scenario NAME|FILE|all|NAME,NAME... [--clients N] [--seed S] [--duration SECONDS] [--out DIR]";

    public static StormOptions Parse(IReadOnlyList<string> args)
    {
        string? scenarios = null;
        int? clients = null;
        long? seed = null;
        double? duration = null;
        string output = "storm-out";
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
                default:
                    throw new StormUsageException($"unknown option '{option}'");
            }
        }
        if (scenarios is null)
            throw new StormUsageException("--scenario is required");
        var names = scenarios.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
            throw new StormUsageException("--scenario names no scenario");
        return new StormOptions(names, clients, seed, duration, output);
    }
}

/// <summary>A command line the storm command cannot act on.</summary>
internal sealed class StormUsageException(string message) : Exception(message);
