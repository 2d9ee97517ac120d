using System.Text.Json;

namespace KafkaNative.Sim;

/// <summary>A broker of an architecture: its id and the zone (rack) it runs in.</summary>
internal sealed record BrokerSpec(int Id, string Zone);

/// <summary>A topic an architecture creates at start.</summary>
internal sealed record TopicSpec(string Name, int Partitions, short ReplicationFactor, IReadOnlyDictionary<string, string?> Configs);

/// <summary>
/// The shape of a cluster, in the spirit of spigo's architecture files: a named JSON document listing
/// brokers with their zones and the topics to create. Example:
/// <code>
/// { "arch": "three-zones", "description": "...", "zones": ["a","b","c"], "brokers": 3,
///   "topics": [ { "name": "orders", "partitions": 6, "replicationFactor": 3, "config": { "min.insync.replicas": "2" } } ] }
/// </code>
/// "brokers" is either a count (spread over "zones" round robin) or a list of <c>{ "id": 0, "zone": "a" }</c>.
/// </summary>
internal sealed record Architecture(string Name, string? Description, IReadOnlyList<BrokerSpec> Brokers, IReadOnlyList<TopicSpec> Topics)
{
    private static readonly string[] DefaultZones = ["zone-a", "zone-b", "zone-c"];

    /// <summary>The embedded default: <paramref name="brokers"/> brokers spread over three zones, no topics.</summary>
    public static Architecture Default(int brokers) =>
        new("default", "Brokers spread round robin over three zones", SpreadOverZones(brokers, DefaultZones), []);

    public static Architecture Load(ClusterOptions options) =>
        options.ArchitectureFile is null
            ? Default(options.Brokers)
            : Parse(File.ReadAllText(options.ArchitectureFile), options);

    /// <summary>Parses an architecture document; <paramref name="options"/> fills what it leaves out.</summary>
    /// <exception cref="FormatException">The document is not a valid architecture.</exception>
    public static Architecture Parse(string json, ClusterOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Architecture is not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("Architecture must be a JSON object.");
            string name = OptionalString(root, "arch") ?? "unnamed";
            string? description = OptionalString(root, "description");
            string[] zones = root.TryGetProperty("zones", out JsonElement zonesElement)
                ? zonesElement.EnumerateArray().Select(z => z.GetString() ?? throw new FormatException("Zone names must be strings.")).ToArray()
                : DefaultZones;
            if (zones.Length == 0) throw new FormatException("\"zones\" must list at least one zone.");

            IReadOnlyList<BrokerSpec> brokers = root.TryGetProperty("brokers", out JsonElement brokersElement)
                ? ParseBrokers(brokersElement, zones)
                : SpreadOverZones(options.Brokers, zones);

            var topics = new List<TopicSpec>();
            if (root.TryGetProperty("topics", out JsonElement topicsElement))
            {
                if (topicsElement.ValueKind != JsonValueKind.Array) throw new FormatException("\"topics\" must be an array.");
                foreach (JsonElement topic in topicsElement.EnumerateArray()) topics.Add(ParseTopic(topic, options, brokers.Count));
            }
            if (topics.Select(t => t.Name).Distinct().Count() != topics.Count) throw new FormatException("Topic names must be unique.");
            return new Architecture(name, description, brokers, topics);
        }
    }

    private static IReadOnlyList<BrokerSpec> ParseBrokers(JsonElement element, string[] zones)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            if (!element.TryGetInt32(out int count) || count < 1) throw new FormatException("\"brokers\" must be a positive count or a list.");
            return SpreadOverZones(count, zones);
        }
        if (element.ValueKind != JsonValueKind.Array) throw new FormatException("\"brokers\" must be a positive count or a list.");
        var brokers = new List<BrokerSpec>();
        foreach (JsonElement broker in element.EnumerateArray())
        {
            if (!broker.TryGetProperty("id", out JsonElement id) || !id.TryGetInt32(out int brokerId))
                throw new FormatException("Every broker needs an integer \"id\".");
            brokers.Add(new BrokerSpec(brokerId, OptionalString(broker, "zone") ?? zones[brokers.Count % zones.Length]));
        }
        if (brokers.Count == 0) throw new FormatException("\"brokers\" must list at least one broker.");
        if (!brokers.Select(b => b.Id).Order().SequenceEqual(Enumerable.Range(0, brokers.Count)))
            throw new FormatException("Broker ids must be 0 to N-1, each once.");
        return brokers.OrderBy(b => b.Id).ToList();
    }

    private static TopicSpec ParseTopic(JsonElement topic, ClusterOptions options, int brokerCount)
    {
        string name = OptionalString(topic, "name") ?? throw new FormatException("Every topic needs a \"name\".");
        if (!TopicNames.IsValid(name)) throw new FormatException($"\"{name}\" is not a legal topic name.");
        int partitions = topic.TryGetProperty("partitions", out JsonElement p) ? p.GetInt32() : options.DefaultPartitions;
        short replicationFactor = topic.TryGetProperty("replicationFactor", out JsonElement rf)
            ? rf.GetInt16()
            : (short)Math.Min(options.DefaultReplicationFactor, brokerCount);
        if (partitions < 1) throw new FormatException($"Topic {name} needs at least one partition.");
        if (replicationFactor < 1 || replicationFactor > brokerCount)
            throw new FormatException($"Topic {name} has replication factor {replicationFactor} but the cluster has {brokerCount} brokers.");
        var configs = new Dictionary<string, string?>();
        if (topic.TryGetProperty("config", out JsonElement config))
        {
            foreach (JsonProperty entry in config.EnumerateObject()) configs[entry.Name] = entry.Value.ToString();
        }
        return new TopicSpec(name, partitions, replicationFactor, configs);
    }

    private static List<BrokerSpec> SpreadOverZones(int count, string[] zones)
    {
        if (count < 1) throw new FormatException("A cluster needs at least one broker.");
        return Enumerable.Range(0, count).Select(id => new BrokerSpec(id, zones[id % zones.Length])).ToList();
    }

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
