using System.Globalization;

namespace KafkaNative.Cli;

/// <summary>
/// The <c>-X key=value</c> client settings the CLI understands, named as librdkafka and the Java client name them.
/// Every verb takes the common ones; the producer and consumer ones apply to produce and consume.
/// An unknown key is a usage error that lists the known ones.
/// </summary>
internal static class ClientSettings
{
    private sealed record Setting(string Key, string Meaning, Action<KafkaClientOptions, string, string> Apply);

    private static readonly Setting[] All =
    [
        Common("client.id", "client id sent to brokers", (o, v, _) => o.ClientId = v),
        Common("socket.connection.setup.timeout.ms", "connect timeout", (o, v, k) => o.ConnectTimeout = Millis(v, k)),
        Common("request.timeout.ms", "request timeout", (o, v, k) => o.RequestTimeout = Millis(v, k)),
        Common("metadata.max.age.ms", "metadata refresh interval", (o, v, k) => o.MetadataMaxAge = Millis(v, k)),
        Common("allow.auto.create.topics", "true|false", (o, v, k) => o.AllowAutoTopicCreation = Bool(v, k)),
        Common("reconnect.backoff.ms", "first reconnect backoff", (o, v, k) => o.ReconnectBackoffMin = Millis(v, k)),
        Common("reconnect.backoff.max.ms", "longest reconnect backoff", (o, v, k) => o.ReconnectBackoffMax = Millis(v, k)),
        Producer("linger.ms", "batching delay", (o, v, k) => o.Linger = Millis(v, k)),
        Producer("batch.size", "bytes per batch", (o, v, k) => o.BatchSize = Int(v, k)),
        Producer("delivery.timeout.ms", "delivery budget per record (alias message.timeout.ms)", (o, v, k) => o.DeliveryTimeout = Millis(v, k)),
        Producer("message.timeout.ms", "same as delivery.timeout.ms", (o, v, k) => o.DeliveryTimeout = Millis(v, k)),
        Producer("enable.idempotence", "true|false", (o, v, k) => o.EnableIdempotence = Bool(v, k)),
        Producer("compression.level", "codec level", (o, v, k) => o.CompressionLevel = Int(v, k)),
        Consumer("fetch.wait.max.ms", "longest fetch long-poll", (o, v, k) => o.FetchMaxWait = Millis(v, k)),
        Consumer("fetch.min.bytes", "bytes a fetch waits for", (o, v, k) => o.FetchMinBytes = Int(v, k)),
        Consumer("max.partition.fetch.bytes", "bytes per partition per fetch", (o, v, k) => o.MaxPartitionFetchBytes = Int(v, k)),
        Consumer("session.timeout.ms", "group session timeout", (o, v, k) => o.SessionTimeout = Millis(v, k)),
        Consumer("heartbeat.interval.ms", "group heartbeat interval", (o, v, k) => o.HeartbeatInterval = Millis(v, k)),
        Consumer("enable.auto.commit", "true|false", (o, v, k) => o.EnableAutoCommit = Bool(v, k)),
        Consumer("auto.commit.interval.ms", "auto-commit interval", (o, v, k) => o.AutoCommitInterval = Millis(v, k)),
        Consumer("isolation.level", "read_committed|read_uncommitted", (o, v, k) => o.IsolationLevel = v switch
        {
            "read_committed" => IsolationLevel.ReadCommitted,
            "read_uncommitted" => IsolationLevel.ReadUncommitted,
            _ => throw new UsageException($"-X {k}: expected read_committed or read_uncommitted, got '{v}'"),
        }),
        Consumer("group.instance.id", "static membership id", (o, v, _) => o.GroupInstanceId = v),
        Consumer("client.rack", "rack for fetch-from-follower", (o, v, _) => o.ClientRack = v),
    ];

    private static IEnumerable<(string Key, string Meaning)> Known =>
        All.Select(s => (s.Key, s.Meaning)).Concat(SecuritySettings.Known);

    /// <summary>One line per setting, for <c>--help</c>.</summary>
    public static string Help =>
        "Client setting key=value (repeatable): " + string.Join("; ", Known.Select(s => $"{s.Key} ({s.Meaning})"));

    /// <summary>Applies <paramref name="pairs"/> to <paramref name="options"/>; settings of another client kind (a consumer setting on produce) are usage errors.</summary>
    public static T Apply<T>(T options, IEnumerable<string> pairs) where T : KafkaClientOptions
    {
        var security = new SecuritySettings();
        foreach (string pair in pairs)
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0) throw new UsageException($"-X expects key=value, got '{pair}'");
            string key = pair[..equals].Trim(), value = pair[(equals + 1)..].Trim();
            if (security.TrySet(key, value)) continue;
            Setting setting = All.FirstOrDefault(s => s.Key == key)
                ?? throw new UsageException($"-X {key}: unknown setting; known: {string.Join(", ", Known.Select(s => s.Key))}");
            setting.Apply(options, value, key);
        }
        security.ApplyTo(options);
        return options;
    }

    private static Setting Common(string key, string meaning, Action<KafkaClientOptions, string, string> apply) => new(key, meaning, apply);

    private static Setting Producer(string key, string meaning, Action<ProducerOptions, string, string> apply) =>
        new(key, meaning, (o, v, k) => apply(o as ProducerOptions ?? throw new UsageException($"-X {k} applies to produce only"), v, k));

    private static Setting Consumer(string key, string meaning, Action<ConsumerOptions, string, string> apply) =>
        new(key, meaning, (o, v, k) => apply(o as ConsumerOptions ?? throw new UsageException($"-X {k} applies to consume only"), v, k));

    private static int Int(string value, string key) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n : throw new UsageException($"-X {key}: '{value}' is not a non-negative whole number");

    private static TimeSpan Millis(string value, string key) => TimeSpan.FromMilliseconds(Int(value, key));

    private static bool Bool(string value, string key) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw new UsageException($"-X {key}: expected true or false, got '{value}'"),
    };
}
