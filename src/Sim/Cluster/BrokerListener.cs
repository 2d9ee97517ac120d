using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>Accepts TCP connections for one broker and hands each to a new session.</summary>
internal sealed class BrokerListener(SimulatedBroker broker, Socket listenSocket)
{
    private const int LinuxSolSocket = 1;
    private const int LinuxSoReuseAddr = 2;
    private const int BsdSolSocket = 0xffff;
    private const int BsdSoReuseAddr = 4;

    /// <summary>Binds and listens; a port another process (or broker) listens on is refused with a clear <see cref="IOException"/>.</summary>
    public static Socket Bind(string host, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            AllowRebindOverTimeWait(socket);
            socket.Bind(new IPEndPoint(IPAddress.Parse(host), port));
            socket.Listen(512);
            return socket;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new IOException($"port {port} is already in use on {host} (another cluster or Kafka broker listens there?)", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A restarted broker must rebind the port its clients know while its old connections sit in TIME_WAIT,
    /// but never share it with a live listener. .NET's ReuseAddress also sets SO_REUSEPORT on Unix, which lets
    /// a second process listen on the same port, so Unix gets the bare SO_REUSEADDR; Windows binds over
    /// TIME_WAIT by default and gets exclusive use.
    /// </summary>
    private static void AllowRebindOverTimeWait(Socket socket)
    {
        if (OperatingSystem.IsLinux()) socket.SetRawSocketOption(LinuxSolSocket, LinuxSoReuseAddr, BitConverter.GetBytes(1));
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()) socket.SetRawSocketOption(BsdSolSocket, BsdSoReuseAddr, BitConverter.GetBytes(1));
        else if (OperatingSystem.IsWindows()) socket.ExclusiveAddressUse = true;
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
