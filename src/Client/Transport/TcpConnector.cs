using System.Net.Sockets;

namespace KafkaNative.Client;

/// <summary>Opens the TCP socket both socket transports run over.</summary>
internal static class TcpConnector
{
    public static async ValueTask<Socket> ConnectAsync(BrokerEndpoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static string Describe(Socket socket, string pump) => $"tcp {socket.LocalEndPoint} → {socket.RemoteEndPoint} ({pump})";
}
