using System.Net;
using System.Net.Sockets;

namespace KafkaNative.Chaos;

/// <summary>
/// Stands on a stopped broker's port and resets every connection the moment it arrives, counting them:
/// the Sim cannot count attempts at a closed port, so the bench puts this there to see how often
/// clients knock on a broker that refuses them.
/// </summary>
public sealed class RefusingListener : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _attempts;

    private RefusingListener(Socket socket)
    {
        _socket = socket;
        _accepting = AcceptAsync();
    }

    /// <summary>Connections refused so far.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Binds <paramref name="address"/> (host:port), which must be free.</summary>
    public static RefusingListener Start(string address)
    {
        IPEndPoint endpoint = IPEndPoint.Parse(address);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As the Sim binds: the broker rebinds this port after us.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(512);
            return new RefusingListener(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _attempts);
            // Linger zero: the close is a reset, and leaves no TIME_WAIT on the port the broker takes back.
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
        }
    }

    /// <summary>Stops refusing and frees the port.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _accepting.GetAwaiter().GetResult();
        _stop.Dispose();
    }
}
