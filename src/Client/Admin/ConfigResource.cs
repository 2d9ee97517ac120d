namespace KafkaNative.Admin;

/// <summary>What a configuration belongs to (values as on the wire).</summary>
public enum ConfigResourceType : sbyte
{
    /// <summary>A topic; the resource name is the topic name.</summary>
    Topic = 2,

    /// <summary>A broker; the resource name is its node id, or empty for the cluster-wide default.</summary>
    Broker = 4,

    /// <summary>A broker's loggers; the resource name is the broker's node id.</summary>
    BrokerLogger = 8,

    /// <summary>A client metrics subscription.</summary>
    ClientMetrics = 16,

    /// <summary>A consumer group.</summary>
    Group = 32,
}

/// <summary>A configurable resource.</summary>
/// <param name="Type">The kind of resource.</param>
/// <param name="Name">Its name (topic name, broker id…).</param>
public readonly record struct ConfigResource(ConfigResourceType Type, string Name);
