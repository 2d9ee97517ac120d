using KafkaNative.Client;
using KafkaNative.Sim;

namespace KafkaNative.Bench;

/// <summary>
/// Where the client connects and what over. <c>--transport pipelines|stream|memory</c> picks the transport
/// (default: the client's default). Without <c>--bootstrap</c> a 3-broker simulated cluster starts in this
/// process (its work then counts in this process's CPU), which <c>memory</c> reaches through in-memory
/// pipes, no sockets, and the others over loopback TCP, so the three compare on one footing.
/// </summary>
internal sealed class BenchTransport : IAsyncDisposable
{
    private readonly SimulatedCluster? _cluster;

    private BenchTransport(IKafkaTransport transport, string bootstrap, SimulatedCluster? cluster)
    {
        Transport = transport;
        Bootstrap = bootstrap;
        _cluster = cluster;
    }

    public IKafkaTransport Transport { get; }

    public string Bootstrap { get; }

    public static async Task<BenchTransport> OpenAsync(BenchArguments arguments)
    {
        string name = arguments.Optional("--transport", "default");
        if (arguments.Has("--bootstrap"))
        {
            if (name == "memory") throw new ArgumentException("--transport memory reaches only the cluster it starts itself: leave out --bootstrap.");
            return new BenchTransport(SocketTransport(name), arguments.Required("--bootstrap"), null);
        }
        SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        IKafkaTransport transport = name == "memory"
            ? KafkaTransport.InMemory((endpoint, ct) => cluster.ConnectInMemoryAsync(endpoint.Host, endpoint.Port, ct))
            : SocketTransport(name);
        return new BenchTransport(transport, cluster.BootstrapServers, cluster);
    }

    private static IKafkaTransport SocketTransport(string name) => name switch
    {
        "default" => KafkaTransport.Default,
        "pipelines" => KafkaTransport.Pipelines,
        "stream" => KafkaTransport.StreamPump,
        _ => throw new ArgumentException($"--transport must be pipelines, stream or memory, not '{name}'."),
    };

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
