using System.Net.Sockets;

namespace KafkaNative.Client;

/// <summary>TCP through a <see cref="NetworkStream"/>, with TLS through an <see cref="System.Net.Security.SslStream"/> over it.</summary>
internal sealed class StreamPumpTransport : IKafkaTransport
{
    public async ValueTask<IKafkaTransportConnection> ConnectAsync(BrokerEndpoint endpoint, KafkaTlsOptions? tls, CancellationToken cancellationToken)
    {
        Socket socket = await TcpConnector.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        string description = TcpConnector.Describe(socket, tls is null ? "stream" : "TLS stream");
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (tls is not null) stream = await TlsHandshake.AuthenticateAsync(stream, endpoint, tls, cancellationToken).ConfigureAwait(false);
        return new StreamTransportConnection(stream, description);
    }
}
