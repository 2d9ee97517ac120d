using System.Globalization;

namespace KafkaNative.Sim;

/// <summary>A topic's configuration: the overrides it was created with over the broker defaults, and the values the brokers act on.</summary>
internal sealed class TopicConfig
{
    public const int DefaultMaxMessageBytes = 1_048_588;

    public TopicConfig(IReadOnlyDictionary<string, string?> overrides, ClusterOptions options)
    {
        Overrides = overrides;
        MinInSyncReplicas = IntOr(overrides, "min.insync.replicas", options.MinInSyncReplicas);
        MaxMessageBytes = IntOr(overrides, "max.message.bytes", DefaultMaxMessageBytes);
        IsCompacted = overrides.TryGetValue("cleanup.policy", out string? policy) && policy is not null &&
            policy.Split(',').Any(p => p.Trim() == "compact");
        Defaults = new Dictionary<string, string>
        {
            ["cleanup.policy"] = "delete",
            ["compression.type"] = "producer",
            ["max.message.bytes"] = DefaultMaxMessageBytes.ToString(CultureInfo.InvariantCulture),
            ["message.timestamp.type"] = "CreateTime",
            ["min.insync.replicas"] = options.MinInSyncReplicas.ToString(CultureInfo.InvariantCulture),
            ["retention.bytes"] = "-1",
            ["retention.ms"] = "604800000",
            ["segment.bytes"] = "1073741824",
            ["unclean.leader.election.enable"] = "false",
        };
    }

    public IReadOnlyDictionary<string, string?> Overrides { get; }

    public IReadOnlyDictionary<string, string> Defaults { get; }

    public int MinInSyncReplicas { get; }

    public int MaxMessageBytes { get; }

    /// <summary>cleanup.policy includes "compact": Kafka then refuses records without a key.</summary>
    public bool IsCompacted { get; }

    /// <summary>Checks values the brokers act on; returns an error message or null.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string?> overrides)
    {
        foreach (string key in new[] { "min.insync.replicas", "max.message.bytes" })
        {
            if (overrides.TryGetValue(key, out string? value) && (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) || parsed < 1))
                return $"Invalid value {value} for configuration {key}";
        }
        return null;
    }

    private static int IntOr(IReadOnlyDictionary<string, string?> overrides, string key, int fallback) =>
        overrides.TryGetValue(key, out string? value) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) ? parsed : fallback;
}
