using System.Text.Json;
using System.Text.Json.Serialization;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// Reads a scenario from JSON (format in README.md beside this file). Every problem surfaces as a
/// <see cref="ScenarioFormatException"/> whose message names the source and the field.
/// </summary>
internal static class ScenarioParser
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static Scenario ParseFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioFormatException($"{path}: cannot read scenario file: {e.Message}", e);
        }
        return Parse(json, path);
    }

    public static Scenario Parse(string json, string source = "scenario")
    {
        try
        {
            var document = JsonSerializer.Deserialize<ScenarioDocument>(json, Options)
                ?? throw new ScenarioFormatException("the document is null; expected a JSON object");
            var scenario = Build(document);
            scenario.Validate();
            return scenario;
        }
        catch (JsonException e)
        {
            throw new ScenarioFormatException($"{source}: malformed scenario JSON: {e.Message}", e);
        }
        catch (ScenarioFormatException e)
        {
            throw new ScenarioFormatException($"{source}: {e.Message}", e);
        }
    }

    private static Scenario Build(ScenarioDocument document)
    {
        var defaults = new Scenario { Name = document.Name ?? "" };
        return defaults with
        {
            Description = document.Description ?? "",
            Topology = document.Topology is { } topology ? ReadTopology(topology) : defaults.Topology,
            Clients = document.Clients ?? defaults.Clients,
            ConsumerFraction = document.ConsumerFraction ?? defaults.ConsumerFraction,
            DurationSeconds = document.DurationSeconds ?? defaults.DurationSeconds,
            ProducesPerSecond = document.Load?.ProducesPerSecond ?? defaults.ProducesPerSecond,
            FetchesPerSecond = document.Load?.FetchesPerSecond ?? defaults.FetchesPerSecond,
            Seed = document.Seed ?? defaults.Seed,
            Broker = document.Broker ?? defaults.Broker,
            Network = document.Network ?? defaults.Network,
            Policy = document.Policy is { } policy ? ReadPolicy(policy) : defaults.Policy,
            Faults = (document.Faults ?? []).Select(ReadFault).ToArray(),
        };
    }

    private static Topology ReadTopology(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            string name = element.GetString()!;
            return Topology.BuiltIn.FirstOrDefault(topology => topology.Name == name)
                ?? throw new ScenarioFormatException(
                    $"topology: unknown built-in topology '{name}' (expected {string.Join(", ", Topology.BuiltIn.Select(t => t.Name))} or an object)");
        }
        var document = element.Deserialize<TopologyDocument>(Options)
            ?? throw new ScenarioFormatException("topology must be a built-in name or an object");
        return new Topology(document.Name ?? "custom", document.Brokers ?? [], document.Topics ?? []);
    }

    private static RetryPolicy ReadPolicy(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            string name = element.GetString()!;
            return RetryPolicy.BuiltIn.FirstOrDefault(policy => policy.Name == name)
                ?? throw new ScenarioFormatException(
                    $"policy: unknown built-in policy '{name}' (expected {string.Join(", ", RetryPolicy.BuiltIn.Select(p => p.Name))} or an object)");
        }
        return element.Deserialize<RetryPolicy>(Options)
            ?? throw new ScenarioFormatException("policy must be a built-in name or an object");
    }

    private static Fault ReadFault(FaultDocument document, int index)
    {
        string path = $"faults[{index}]";
        if (document.AtSeconds is not { } at)
            throw new ScenarioFormatException($"{path}.atSeconds is required");
        if (document.Action is not { } action)
            throw new ScenarioFormatException($"{path}.action is required");
        return new Fault(at, Fault.ParseAction(action, $"{path}.action"), document.Broker, document.Zone, document.ExtraLatencyMs ?? 0);
    }

    private sealed class ScenarioDocument
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public JsonElement? Topology { get; set; }
        public int? Clients { get; set; }
        public double? ConsumerFraction { get; set; }
        public double? DurationSeconds { get; set; }
        public LoadDocument? Load { get; set; }
        public long? Seed { get; set; }
        public BrokerModel? Broker { get; set; }
        public NetworkModel? Network { get; set; }
        public JsonElement? Policy { get; set; }
        public List<FaultDocument>? Faults { get; set; }
    }

    private sealed class LoadDocument
    {
        public double? ProducesPerSecond { get; set; }
        public double? FetchesPerSecond { get; set; }
    }

    private sealed class TopologyDocument
    {
        public string? Name { get; set; }
        public List<TopologyBroker>? Brokers { get; set; }
        public List<TopologyTopic>? Topics { get; set; }
    }

    private sealed class FaultDocument
    {
        public double? AtSeconds { get; set; }
        public string? Action { get; set; }
        public int? Broker { get; set; }
        public string? Zone { get; set; }
        public double? ExtraLatencyMs { get; set; }
    }
}
