using System.Net.Sockets;
using System.Security.Authentication;
using KafkaNative.Client.Diagnostics;
using KafkaNative.Client.Security;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Client;

/// <summary>
/// Sets a connection up: opens it through the transport (TCP and TLS, or in memory), negotiates API
/// versions, authenticates with SASL and schedules re-authentication, all within the connect timeout.
/// </summary>
internal static class BrokerConnector
{
    public static async Task<BrokerConnection> ConnectAsync(int nodeId, BrokerEndpoint endpoint, KafkaClientOptions options, CancellationToken cancellationToken)
    {
        ILogger logger = options.LoggerFactory.CreateLogger<BrokerConnection>();
        Log.Connecting(logger, nodeId, endpoint);
        using var deadline = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        IKafkaTransportConnection? transport = null;
        BrokerConnection? connection = null;
        try
        {
            transport = await options.Transport.ConnectAsync(endpoint, options.Tls, timeout.Token).ConfigureAwait(false);
            connection = new BrokerConnection(nodeId, endpoint, transport, options);
            connection.Versions = await ApiVersionsNegotiation.NegotiateAsync(connection, logger, timeout.Token).ConfigureAwait(false);
            if (options.Sasl is { } sasl)
            {
                TimeSpan lifetime = await SaslAuthenticator.AuthenticateAsync(connection, sasl, direct: false, timeout.Token).ConfigureAwait(false);
                Log.Authenticated(logger, nodeId, sasl.MechanismName, lifetime);
                connection.ScheduleReauthentication(sasl, lifetime);
            }
            KafkaTelemetry.ConnectionAttempts.Add(1, new KeyValuePair<string, object?>("outcome", "success"));
            connection.MarkEstablished();
            Log.Connected(logger, nodeId, endpoint, transport.Description, options.Tls is not null, options.Sasl?.MechanismName ?? "none");
            return connection;
        }
        catch (Exception exception)
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            else if (transport is not null) await transport.DisposeAsync().ConfigureAwait(false);
            KafkaTelemetry.ConnectionAttempts.Add(1, new KeyValuePair<string, object?>("outcome", "failure"));
            Exception mapped = MapFailure(exception, nodeId, endpoint, options, timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested);
            if (ReferenceEquals(mapped, exception)) throw;
            throw mapped;
        }
    }

    private static Exception MapFailure(Exception exception, int nodeId, BrokerEndpoint endpoint, KafkaClientOptions options, bool timedOut)
    {
        string broker = $"broker {nodeId} at {endpoint}";
        if (timedOut && exception is OperationCanceledException or KafkaConnectionException)
            return new KafkaTimeoutException($"Connecting to {broker} did not finish within the connect timeout of {options.ConnectTimeout.TotalMilliseconds:0} ms.", exception);
        return exception switch
        {
            AuthenticationException => new KafkaAuthenticationException($"TLS handshake with {broker} failed: {exception.Message}", exception),
            SocketException or IOException or ObjectDisposedException =>
                new KafkaConnectionException($"Could not connect to {broker}: {exception.Message}", exception),
            _ => exception,
        };
    }
}
