using System.Globalization;
using KafkaNative.Protocol;

namespace KafkaNative.Sim;

/// <summary>One fault of a chaos schedule, applied at a time after the cluster started.</summary>
internal abstract record ChaosAction
{
    public abstract Task ApplyAsync(SimulatedCluster cluster);
}

internal sealed record StopBroker(int Broker) : ChaosAction
{
    public override Task ApplyAsync(SimulatedCluster cluster) => cluster.StopBrokerAsync(Broker);
}

internal sealed record KillBroker(int Broker) : ChaosAction
{
    public override Task ApplyAsync(SimulatedCluster cluster) => cluster.KillBrokerAsync(Broker);
}

internal sealed record StartBroker(int Broker) : ChaosAction
{
    public override Task ApplyAsync(SimulatedCluster cluster) => cluster.StartBrokerAsync(Broker);
}

internal sealed record AddLatency(int Broker, TimeSpan Latency) : ChaosAction
{
    public override Task ApplyAsync(SimulatedCluster cluster)
    {
        cluster.SetLatency(Broker, Latency);
        return Task.CompletedTask;
    }
}

internal sealed record Stall(int Broker, bool Stalled) : ChaosAction
{
    public override Task ApplyAsync(SimulatedCluster cluster)
    {
        cluster.SetStalled(Broker, Stalled);
        return Task.CompletedTask;
    }
}

internal sealed record DropConnections(int Broker) : ChaosAction
{
    public override Task ApplyAsync(SimulatedCluster cluster)
    {
        cluster.DropConnections(Broker);
        return Task.CompletedTask;
    }
}

internal sealed record MoveLeader(string Topic, int Partition, int Broker) : ChaosAction
{
    public override Task ApplyAsync(SimulatedCluster cluster) => cluster.MoveLeaderAsync(Topic, Partition, Broker);
}

internal sealed record InjectError(ApiKey Api, ErrorCode Error, double Rate, int? Broker) : ChaosAction
{
    public override Task ApplyAsync(SimulatedCluster cluster)
    {
        cluster.InjectError(Api, Error, Rate, Broker);
        return Task.CompletedTask;
    }
}

/// <summary>A fault and when it happens, counted from cluster start.</summary>
internal sealed record ChaosEvent(TimeSpan At, ChaosAction Action);

/// <summary>
/// Parses the CLI's <c>--chaos</c> schedule: comma-separated <c>ACTION@TIME</c> entries, times like
/// <c>2s</c>, <c>500ms</c> or <c>1m</c>. Actions: <c>stop:B</c> (controlled shutdown), <c>kill:B</c> (crash),
/// <c>start:B</c>, <c>latency:B=200ms</c>,
/// <c>stall:B</c>, <c>unstall:B</c>, <c>drop:B</c>, <c>leader:TOPIC/PARTITION=B</c> and
/// <c>error:API=ERROR/RATE[/B]</c> (names as in the ApiKey and ErrorCode enums or Kafka's upper-case
/// spelling, e.g. <c>error:Produce=NOT_LEADER_OR_FOLLOWER/0.1@1s</c>).
/// </summary>
internal static class ChaosSchedule
{
    public static IReadOnlyList<ChaosEvent> Parse(string spec, int brokerCount)
    {
        var events = new List<ChaosEvent>();
        foreach (string raw in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int at = raw.LastIndexOf('@');
            if (at < 0) throw new FormatException($"Chaos entry '{raw}' has no '@TIME'.");
            TimeSpan time = ParseDuration(raw[(at + 1)..], $"Chaos entry '{raw}'");
            string action = raw[..at];
            int colon = action.IndexOf(':');
            if (colon < 0) throw new FormatException($"Chaos entry '{raw}' has no 'KIND:' prefix.");
            string kind = action[..colon].ToLowerInvariant();
            string argument = action[(colon + 1)..];
            events.Add(new ChaosEvent(time, kind switch
            {
                "stop" => new StopBroker(BrokerId(argument, brokerCount, raw)),
                "kill" => new KillBroker(BrokerId(argument, brokerCount, raw)),
                "start" => new StartBroker(BrokerId(argument, brokerCount, raw)),
                "stall" => new Stall(BrokerId(argument, brokerCount, raw), true),
                "unstall" => new Stall(BrokerId(argument, brokerCount, raw), false),
                "drop" => new DropConnections(BrokerId(argument, brokerCount, raw)),
                "latency" => ParseLatency(argument, brokerCount, raw),
                "leader" => ParseLeader(argument, brokerCount, raw),
                "error" => ParseError(argument, brokerCount, raw),
                _ => throw new FormatException($"Chaos entry '{raw}': unknown action '{kind}'."),
            }));
        }
        return events.OrderBy(e => e.At).ToList();
    }

    /// <summary>A duration like <c>2s</c>, <c>500ms</c> or <c>1m</c>; <paramref name="what"/> starts the error message.</summary>
    public static TimeSpan ParseDuration(string text, string what)
    {
        text = text.Trim();
        (string number, double scale) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : throw new FormatException($"{what}: time '{text}' needs a unit (ms, s or m).");
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0 || value * scale > int.MaxValue)
            throw new FormatException($"{what}: '{text}' is not a duration.");
        return TimeSpan.FromMilliseconds(value * scale);
    }

    private static AddLatency ParseLatency(string argument, int brokerCount, string entry)
    {
        string[] parts = argument.Split('=');
        if (parts.Length != 2) throw new FormatException($"Chaos entry '{entry}': expected latency:BROKER=DURATION.");
        return new AddLatency(BrokerId(parts[0], brokerCount, entry), ParseDuration(parts[1], $"Chaos entry '{entry}'"));
    }

    private static MoveLeader ParseLeader(string argument, int brokerCount, string entry)
    {
        int equals = argument.LastIndexOf('=');
        int slash = equals < 0 ? -1 : argument.LastIndexOf('/', equals);
        if (slash <= 0 || !int.TryParse(argument[(slash + 1)..equals], NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
            throw new FormatException($"Chaos entry '{entry}': expected leader:TOPIC/PARTITION=BROKER.");
        return new MoveLeader(argument[..slash], partition, BrokerId(argument[(equals + 1)..], brokerCount, entry));
    }

    private static InjectError ParseError(string argument, int brokerCount, string entry)
    {
        string[] parts = argument.Split('=');
        string[] settings = parts.Length == 2 ? parts[1].Split('/') : [];
        if (settings.Length is not (2 or 3)) throw new FormatException($"Chaos entry '{entry}': expected error:API=ERROR/RATE[/BROKER].");
        ApiKey api = ParseEnum<ApiKey>(parts[0], entry);
        ErrorCode error = ParseEnum<ErrorCode>(settings[0], entry);
        if (!double.TryParse(settings[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) || rate is < 0 or > 1)
            throw new FormatException($"Chaos entry '{entry}': rate must be between 0 and 1.");
        int? broker = settings.Length == 3 ? BrokerId(settings[2], brokerCount, entry) : null;
        return new InjectError(api, error, rate, broker);
    }

    private static T ParseEnum<T>(string name, string entry) where T : struct, Enum
    {
        string normalized = name.Replace("_", "", StringComparison.Ordinal);
        return Enum.TryParse(normalized, ignoreCase: true, out T value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"Chaos entry '{entry}': unknown {typeof(T).Name} '{name}'.");
    }

    private static int BrokerId(string text, int brokerCount, string entry) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id < brokerCount
            ? id
            : throw new FormatException($"Chaos entry '{entry}': '{text}' is not a broker id (0 to {brokerCount - 1}).");
}
