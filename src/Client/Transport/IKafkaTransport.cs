namespace KafkaNative;

/// <summary>
/// Opens the byte streams that broker connections run over. The default
/// (<see cref="KafkaTransport.Default"/>) is TCP, with TLS when the options ask for it; a test or a
/// simulation can plug in another, such as <see cref="KafkaTransport.InMemory"/>.
/// </summary>
/// <remarks>
/// Failures to connect should be thrown as the socket transport throws them, so the client's
/// retry and backoff treat every transport alike: a <see cref="System.Net.Sockets.SocketException"/>,
/// <see cref="IOException"/> or <see cref="KafkaConnectionException"/> when the broker cannot be
/// reached, a <see cref="System.Security.Authentication.AuthenticationException"/> when TLS fails.
/// </remarks>
public interface IKafkaTransport
{
    /// <summary>Opens a connection to <paramref name="endpoint"/>, with TLS when <paramref name="tls"/> is set.</summary>
    /// <param name="endpoint">The broker's advertised address.</param>
    /// <param name="tls">TLS settings, or null for plaintext.</param>
    /// <param name="cancellationToken">Cancels the attempt (the client's connect timeout uses it).</param>
    ValueTask<IKafkaTransportConnection> ConnectAsync(BrokerEndpoint endpoint, KafkaTlsOptions? tls, CancellationToken cancellationToken);
}
