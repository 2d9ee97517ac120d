using System.Net;
using System.Net.Sockets;

namespace KafkaNative.TestSupport;

/// <summary>A loopback port nothing listens on, for tests of a refused connection (the broker that is not there).</summary>
public static class UnusedLoopbackPort
{
    /// <summary>A port the OS just handed out and took back: connecting to it is refused.</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
