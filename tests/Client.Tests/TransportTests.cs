using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim;

namespace KafkaNative.Client.Tests;

/// <summary>
/// Each transport under the same checks against a simulated broker: a connection is set up and
/// answers requests, a crashed broker shows as a reset, a closed one as a closed connection, and a
/// stopped one refuses connections the way a closed TCP port does.
/// </summary>
public sealed class TransportTests
{
    public static TheoryData<string> Transports => ["pipelines", "stream", "memory"];

    public static TheoryData<string> SocketTransports => ["pipelines", "stream"];

    private static IKafkaTransport SocketTransport(string name) => name == "pipelines" ? KafkaTransport.Pipelines : KafkaTransport.StreamPump;

    private static IKafkaTransport TransportFor(string name, SimulatedCluster cluster) => name == "memory"
        ? KafkaTransport.InMemory((endpoint, ct) => cluster.ConnectInMemoryAsync(endpoint.Host, endpoint.Port, ct))
        : SocketTransport(name);

    private static async Task<SimulatedCluster> StartBrokerAsync() =>
        await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BrokerSessionTimeout = TimeSpan.FromMinutes(5) });

    private static Task<BrokerConnection> ConnectAsync(SimulatedCluster cluster, string transport)
    {
        KafkaClientOptions options = TestOptions.For(cluster.BootstrapServers, o => o.Transport = TransportFor(transport, cluster));
        return BrokerConnection.ConnectAsync(0, BrokerEndpoint.Parse(cluster.BootstrapServers), options).WaitAsync(TestOptions.NoHang);
    }

    private static Task<MetadataResponse> MetadataAsync(BrokerConnection connection) =>
        connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [], AllowAutoTopicCreation = false }).AsTask();

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AConnectionNegotiatesVersionsAndAnswersPipelinedRequests(string transport)
    {
        await using SimulatedCluster cluster = await StartBrokerAsync();
        await using BrokerConnection connection = await ConnectAsync(cluster, transport);

        MetadataResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => MetadataAsync(connection))).WaitAsync(TestOptions.NoHang);

        Assert.All(responses, response => Assert.Equal(0, Assert.Single(response.Brokers).NodeId));
        Assert.True(connection.Versions.IsSupported<ProduceRequest>());
        Assert.Equal(1, cluster.ConnectionCount(0));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ACrashedBrokerFailsTheConnectionAndItsPendingRequest(string transport)
    {
        await using SimulatedCluster cluster = await StartBrokerAsync();
        await using BrokerConnection connection = await ConnectAsync(cluster, transport);
        cluster.SetStalled(0, true);
        Task<MetadataResponse> pending = MetadataAsync(connection);

        await cluster.KillBrokerAsync(0).WaitAsync(TestOptions.NoHang);

        await connection.Closed.WaitAsync(TestOptions.NoHang);
        Assert.IsType<KafkaConnectionException>(connection.CloseReason);
        await Assert.ThrowsAsync<KafkaConnectionException>(() => pending.WaitAsync(TestOptions.NoHang));
        cluster.SetStalled(0, false);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task DroppedConnectionsShowAsClosedByTheBroker(string transport)
    {
        await using SimulatedCluster cluster = await StartBrokerAsync();
        await using BrokerConnection connection = await ConnectAsync(cluster, transport);

        cluster.DropConnections(0);

        await connection.Closed.WaitAsync(TestOptions.NoHang);
        var reason = Assert.IsType<KafkaConnectionException>(connection.CloseReason);
        Assert.Contains("closed the connection", reason.Message);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task AStoppedBrokerRefusesConnectionsWithARetriableConnectionError(string transport)
    {
        await using SimulatedCluster cluster = await StartBrokerAsync();
        await cluster.StopBrokerAsync(0).WaitAsync(TestOptions.NoHang);

        var refused = await Assert.ThrowsAsync<KafkaConnectionException>(() => ConnectAsync(cluster, transport));

        Assert.True(refused.IsRetriable);
        Assert.Contains("Could not connect to broker 0", refused.Message);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ARestartedBrokerAcceptsTheNextConnection(string transport)
    {
        await using SimulatedCluster cluster = await StartBrokerAsync();
        await cluster.KillBrokerAsync(0).WaitAsync(TestOptions.NoHang);
        await Assert.ThrowsAsync<KafkaConnectionException>(() => ConnectAsync(cluster, transport));

        await cluster.StartBrokerAsync(0).WaitAsync(TestOptions.NoHang);

        await using BrokerConnection connection = await ConnectAsync(cluster, transport);
        Assert.NotEmpty((await MetadataAsync(connection).WaitAsync(TestOptions.NoHang)).Brokers);
    }

    [Theory]
    [MemberData(nameof(SocketTransports))]
    public async Task FramesLargerThanThePipesBuffersGoThroughWhole(string transport)
    {
        // Well past the pipelines transport's 4 MiB pause threshold, both ways: the response reader
        // assembles the frame from many reads.
        string name = new('x', 6_000_000);
        await using var broker = new FakeBroker
        {
            Metadata = request => new MetadataResponse { Topics = [new MetadataResponse.MetadataResponseTopic { Name = request.Topics![0].Name }] },
        };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker, o => o.Transport = SocketTransport(transport));

        MetadataResponse response = await connection.SendAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = name }], AllowAutoTopicCreation = false })
            .AsTask().WaitAsync(TestOptions.NoHang);

        Assert.Equal(name, Assert.Single(response.Topics).Name);
    }

    [Fact]
    public async Task TheInMemoryTransportRefusesTls()
    {
        await using SimulatedCluster cluster = await StartBrokerAsync();
        KafkaClientOptions options = TestOptions.For(cluster.BootstrapServers, o =>
        {
            o.Transport = TransportFor("memory", cluster);
            o.Tls = new KafkaTlsOptions();
        });

        await Assert.ThrowsAsync<NotSupportedException>(() => BrokerConnection.ConnectAsync(0, BrokerEndpoint.Parse(cluster.BootstrapServers), options));
    }
}
