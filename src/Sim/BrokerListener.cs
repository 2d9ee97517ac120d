using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>Accepts TCP connections for one broker and hands each to a new session.</summary>
internal sealed class BrokerListener(SimulatedBroker broker, Socket listenSocket)
{
    public static Socket Bind(string host, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted broker rebinds the port its clients know even while old sockets linger.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Parse(host), port));
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using (listenSocket)
        {
            while (!ct.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listenSocket.AcceptAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException ex)
                {
                    broker.Logger.LogWarning(ex, "Broker {Broker} accept failed", broker.Id);
                    continue;
                }
                client.NoDelay = true;
                broker.Accept(client);
            }
        }
    }
}
