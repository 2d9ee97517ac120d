using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaNative;

/// <summary>
/// Settings shared by everything that talks to a Kafka cluster: where to bootstrap from, timeouts,
/// connection limits, security and logging. Call <see cref="Validate"/> (the client does) to get a
/// clear <see cref="ArgumentException"/> for a bad value instead of a failure later.
/// </summary>
public class KafkaClientOptions
{
    /// <summary>Comma-separated <c>host:port</c> pairs used to discover the cluster, for example <c>"broker1:9092,broker2:9092"</c>.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Client id sent with every request; brokers use it in logs and quotas.</summary>
    public string ClientId { get; set; } = "kafkanative";

    /// <summary>
    /// Time allowed to set up a connection: TCP connect, TLS handshake, API version negotiation and
    /// SASL authentication. Separate from <see cref="RequestTimeout"/>.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time a request may wait for its response once queued on a connection. A request that times
    /// out closes its connection, since the broker's state for it is unknown.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Metadata older than this is refreshed in the background.</summary>
    public TimeSpan MetadataMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Minimum time between the starts of two metadata refreshes. Refresh requests arriving sooner
    /// wait and share one refresh, so a burst of leadership errors cannot become a metadata storm.
    /// </summary>
    public TimeSpan MetadataMinRefreshInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// What to do when the known brokers give no metadata (Kafka's <c>metadata.recovery.strategy</c>):
    /// <see cref="KafkaNative.MetadataRecoveryStrategy.Rebootstrap"/> (the default, as in Kafka 4.0) goes back to
    /// <see cref="BootstrapServers"/>, resolving their names again, so a client survives a cluster whose brokers all
    /// changed; <see cref="KafkaNative.MetadataRecoveryStrategy.None"/> keeps to the brokers of the last metadata.
    /// </summary>
    public MetadataRecoveryStrategy MetadataRecoveryStrategy { get; set; } = MetadataRecoveryStrategy.Rebootstrap;

    /// <summary>
    /// With <see cref="KafkaNative.MetadataRecoveryStrategy.Rebootstrap"/>, how long metadata may be wanted without a
    /// broker answering before the client rebootstraps even though a known broker has not failed outright (one that
    /// accepts connections but does not answer, say); Kafka's <c>metadata.recovery.rebootstrap.trigger.ms</c>, 5 minutes.
    /// </summary>
    public TimeSpan MetadataRecoveryRebootstrapTrigger { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Backoff after the first failed connection attempt to a broker.</summary>
    public TimeSpan ReconnectBackoffMin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Upper bound for the exponentially growing reconnect backoff (as the Java client's 1 s): a broker
    /// that refuses connections is tried about once a second, and one that comes back is found soon.
    /// </summary>
    public TimeSpan ReconnectBackoffMax { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether metadata requests ask the broker to create topics they name that do not exist (the
    /// broker's own auto.create.topics.enable still decides). On by default, as in the Java client.
    /// </summary>
    public bool AllowAutoTopicCreation { get; set; } = true;

    /// <summary>Maximum number of requests awaiting a response on one connection; further senders wait.</summary>
    public int MaxInFlightPerConnection { get; set; } = 5;

    /// <summary>
    /// Largest response frame accepted, in bytes. A larger size prefix is a protocol error that
    /// closes the connection; nothing is allocated for it.
    /// </summary>
    public int MaxResponseSize { get; set; } = 100 * 1024 * 1024;

    /// <summary>TLS settings; null means plaintext.</summary>
    public KafkaTlsOptions? Tls { get; set; }

    /// <summary>SASL settings; null means no authentication.</summary>
    public KafkaSaslOptions? Sasl { get; set; }

    /// <summary>
    /// What connections run over: <see cref="KafkaTransport.Default"/> (TCP, TLS when <see cref="Tls"/> is
    /// set) unless a test or simulation plugs in another, such as <see cref="KafkaTransport.InMemory"/>.
    /// </summary>
    public IKafkaTransport Transport { get; set; } = KafkaTransport.Default;

    /// <summary>
    /// Where the client's random choices come from: backoff jitter and the order it asks brokers for metadata.
    /// Null (the default) uses <see cref="System.Random.Shared"/>; a seeded one, together with a virtual
    /// <see cref="TimeProvider"/>, lets a simulation repeat a run. The client locks on it, so one instance may be
    /// shared, but it should not be used elsewhere meanwhile.
    /// </summary>
    public Random? Random { get; set; }

    /// <summary>Where logs go; defaults to no logging.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// The clock behind every delay, timer, deadline and timestamp the client uses (backoff, linger,
    /// heartbeats, request and session timeouts, record timestamps). Defaults to
    /// <see cref="TimeProvider.System"/>; tests can pass a <c>FakeTimeProvider</c> and advance time
    /// instead of waiting for it.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Told when a metadata refresh failed on every bootstrap server and known broker (a bad address,
    /// the cluster down): the error carries the last connection failure. It comes within about
    /// <see cref="ConnectTimeout"/> of the attempt, so an unreachable cluster is never a silent wait;
    /// the client keeps retrying. Called on a client task: keep it short; exceptions are logged and ignored.
    /// </summary>
    public Action<KafkaConnectionException>? OnClusterUnreachable { get; set; }

    /// <summary>Checks every setting and throws for the first bad one.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range; the message names it.</exception>
    public virtual void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw new ArgumentException("BootstrapServers must list at least one host:port.", nameof(BootstrapServers));
        try
        {
            _ = BrokerEndpoint.ParseList(BootstrapServers);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"BootstrapServers is invalid: {exception.Message}", nameof(BootstrapServers), exception);
        }
        if (ClientId is null)
            throw new ArgumentException("ClientId must not be null.", nameof(ClientId));
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(RequestTimeout, nameof(RequestTimeout));
        RequirePositive(MetadataMaxAge, nameof(MetadataMaxAge));
        if (MetadataMinRefreshInterval < TimeSpan.Zero)
            throw new ArgumentException($"MetadataMinRefreshInterval must not be negative; it is {MetadataMinRefreshInterval}.", nameof(MetadataMinRefreshInterval));
        RequirePositive(ReconnectBackoffMin, nameof(ReconnectBackoffMin));
        RequirePositive(MetadataRecoveryRebootstrapTrigger, nameof(MetadataRecoveryRebootstrapTrigger));
        if (!Enum.IsDefined(MetadataRecoveryStrategy))
            throw new ArgumentException($"MetadataRecoveryStrategy {MetadataRecoveryStrategy} is not one of None, Rebootstrap.", nameof(MetadataRecoveryStrategy));
        if (ReconnectBackoffMax < ReconnectBackoffMin)
            throw new ArgumentException($"ReconnectBackoffMax ({ReconnectBackoffMax}) must not be less than ReconnectBackoffMin ({ReconnectBackoffMin}).", nameof(ReconnectBackoffMax));
        if (MaxInFlightPerConnection is < 1 or > 10_000)
            throw new ArgumentException($"MaxInFlightPerConnection must be between 1 and 10000; it is {MaxInFlightPerConnection}.", nameof(MaxInFlightPerConnection));
        if (MaxResponseSize < 1024)
            throw new ArgumentException($"MaxResponseSize must be at least 1024 bytes; it is {MaxResponseSize}.", nameof(MaxResponseSize));
        if (Transport is null)
            throw new ArgumentException("Transport must not be null; use KafkaTransport.Default for TCP.", nameof(Transport));
        if (LoggerFactory is null)
            throw new ArgumentException("LoggerFactory must not be null; use NullLoggerFactory.Instance for no logging.", nameof(LoggerFactory));
        if (TimeProvider is null)
            throw new ArgumentException("TimeProvider must not be null; use TimeProvider.System for the real clock.", nameof(TimeProvider));
        Tls?.Validate();
        Sasl?.Validate();
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
            throw new ArgumentException($"{name} must be positive and at most one day; it is {value}.", name);
    }
}
