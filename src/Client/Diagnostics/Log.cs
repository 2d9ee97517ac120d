using Microsoft.Extensions.Logging;

namespace KafkaNative.Client.Diagnostics;

/// <summary>Log events. None of them takes credentials: options are never logged whole.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Connecting to broker {NodeId} at {Endpoint}")]
    public static partial void Connecting(ILogger logger, int nodeId, BrokerEndpoint endpoint);

    [LoggerMessage(2, LogLevel.Debug, "Connected to broker {NodeId} at {Endpoint} over {Transport} (TLS: {Tls}, SASL: {SaslMechanism})")]
    public static partial void Connected(ILogger logger, int nodeId, BrokerEndpoint endpoint, string transport, bool tls, string saslMechanism);

    [LoggerMessage(3, LogLevel.Warning, "Connecting to broker {NodeId} at {Endpoint} failed; next attempt in {Backoff}")]
    public static partial void ConnectFailed(ILogger logger, Exception exception, int nodeId, BrokerEndpoint endpoint, TimeSpan backoff);

    [LoggerMessage(4, LogLevel.Debug, "Connection to broker {NodeId} at {Endpoint} closed")]
    public static partial void ConnectionClosed(ILogger logger, Exception? exception, int nodeId, BrokerEndpoint endpoint);

    [LoggerMessage(5, LogLevel.Debug, "Broker {NodeId}: API versions negotiated ({ApiCount} APIs); ApiVersions v{Version}")]
    public static partial void VersionsNegotiated(ILogger logger, int nodeId, int apiCount, short version);

    [LoggerMessage(6, LogLevel.Debug, "Broker {NodeId}: ApiVersions v{Version} not supported, retrying with v{Fallback}")]
    public static partial void ApiVersionsFallback(ILogger logger, int nodeId, short version, short fallback);

    [LoggerMessage(7, LogLevel.Debug, "Broker {NodeId}: authenticated with {Mechanism}; session lifetime {SessionLifetime}")]
    public static partial void Authenticated(ILogger logger, int nodeId, string mechanism, TimeSpan sessionLifetime);

    [LoggerMessage(8, LogLevel.Warning, "Broker {NodeId}: {Api} request timed out after {Timeout}; closing the connection")]
    public static partial void RequestTimedOut(ILogger logger, int nodeId, string api, TimeSpan timeout);

    [LoggerMessage(9, LogLevel.Debug, "Metadata refreshed from broker {NodeId}: {BrokerCount} brokers, {TopicCount} topics")]
    public static partial void MetadataRefreshed(ILogger logger, int nodeId, int brokerCount, int topicCount);

    [LoggerMessage(10, LogLevel.Warning, "Metadata request to broker {NodeId} failed; trying another broker")]
    public static partial void MetadataBrokerFailed(ILogger logger, Exception exception, int nodeId);

    [LoggerMessage(11, LogLevel.Warning, "Metadata refresh failed")]
    public static partial void MetadataRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "Broker {NodeId}: re-authenticating before the SASL session expires")]
    public static partial void Reauthenticating(ILogger logger, int nodeId);

    [LoggerMessage(13, LogLevel.Debug, "{Topic}-{Partition}: leader hint from a Produce or Fetch answer applied: broker {LeaderId} at leader epoch {LeaderEpoch} (no Metadata request)")]
    public static partial void LeaderHintApplied(ILogger logger, string topic, int partition, int leaderId, int leaderEpoch);

    [LoggerMessage(14, LogLevel.Warning, "Rebootstrapping from the bootstrap servers ({Reason})")]
    public static partial void Rebootstrapping(ILogger logger, string reason);
}
