using System.Net.Sockets;

namespace KafkaNative.Integration.Tests.Brokers;

/// <summary>Asks the Docker engine (DOCKER_HOST, else /var/run/docker.sock) for /_ping, the way Docker's own CLI checks it.</summary>
public static class DockerEngine
{
    private const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>Null when an engine answered; otherwise why not, for skip reasons.</summary>
    public static async Task<string?> WhyUnavailableAsync()
    {
        string host = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix://" + DefaultSocket;
        if (host.StartsWith("unix://", StringComparison.Ordinal) && !File.Exists(host["unix://".Length..]))
            return $"no Docker engine: {host["unix://".Length..]} does not exist (set DOCKER_HOST, or KAFKA_BOOTSTRAP_SERVERS for a real cluster)";
        try
        {
            using var http = host.StartsWith("unix://", StringComparison.Ordinal) ? UnixSocketClient(host["unix://".Length..]) : new HttpClient { BaseAddress = new Uri(host.Replace("tcp://", "http://", StringComparison.Ordinal)) };
            http.Timeout = TimeSpan.FromSeconds(3);
            string answer = await http.GetStringAsync("/_ping");
            return answer.Trim() == "OK" ? null : $"the Docker engine at {host} answered '{answer.Trim()}' to /_ping";
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException or IOException)
        {
            return $"no Docker engine answers at {host} ({e.GetBaseException().Message})";
        }
    }

    private static HttpClient UnixSocketClient(string path)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://docker") };
    }
}
