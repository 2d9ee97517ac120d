using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Client.Tests;

public sealed class ConnectionTests
{
    private static MetadataRequest MetadataFor(string topic) =>
        new() { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false };

    /// <summary>Echoes the requested topic names, so a test can tell which response answers which request.</summary>
    private static MetadataResponse Echo(MetadataRequest request)
    {
        var response = new MetadataResponse();
        foreach (MetadataRequest.MetadataRequestTopic topic in request.Topics ?? [])
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic { Name = topic.Name });
        return response;
    }

    private static string TopicOf(MetadataResponse response) => Assert.Single(response.Topics).Name!;

    [Fact]
    public async Task ManyConcurrentRequestsArePipelinedOnOneConnectionAndMatchedToTheirResponses()
    {
        await using var broker = new FakeBroker { Metadata = Echo };
        broker.OnRequest = async request =>
        {
            if (request.ApiKey == ApiKey.Metadata) await Task.Delay(1);
            return false;
        };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker, o => o.MaxInFlightPerConnection = 8);

        Task<string>[] sends = Enumerable.Range(0, 300).Select(async i =>
        {
            MetadataResponse response = await connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor($"topic-{i}"));
            return TopicOf(response);
        }).ToArray();
        string[] topics = await Task.WhenAll(sends).WaitAsync(TestOptions.NoHang);

        for (int i = 0; i < topics.Length; i++) Assert.Equal($"topic-{i}", topics[i]);
        Assert.Equal(1, broker.Accepted);
        Assert.InRange(broker.MaxPipelined, 2, 8);
    }

    [Fact]
    public async Task AFullInFlightWindowMakesSendersWaitUntilResponsesFreeSlots()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broker = new FakeBroker { Metadata = Echo };
        broker.OnRequest = async request =>
        {
            if (request.ApiKey == ApiKey.Metadata) await release.Task;
            return false;
        };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker, o => o.MaxInFlightPerConnection = 3);

        Task<MetadataResponse>[] sends = Enumerable.Range(0, 10)
            .Select(i => connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor($"t{i}")).AsTask())
            .ToArray();
        await Eventually.TrueAsync(() => broker.MaxPipelined >= 3, "three requests on the wire");
        Assert.All(sends, s => Assert.False(s.IsCompleted));

        release.SetResult();
        MetadataResponse[] responses = await Task.WhenAll(sends).WaitAsync(TestOptions.NoHang);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"t{i}"), responses.Select(TopicOf));
        Assert.Equal(3, broker.MaxPipelined);
    }

    [Fact]
    public async Task CancellingAWaitingRequestReleasesItsSlotAndItsLateResponseIsDiscarded()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broker = new FakeBroker { Metadata = Echo };
        broker.OnRequest = async request =>
        {
            if (request.ApiKey == ApiKey.Metadata && request.Read<MetadataRequest>().Topics![0].Name == "slow") await release.Task;
            return false;
        };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker, o => o.MaxInFlightPerConnection = 1);

        using var cts = new CancellationTokenSource();
        Task<MetadataResponse> slow = connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor("slow"), cts.Token).AsTask();
        await Eventually.TrueAsync(() => broker.Count(ApiKey.Metadata) == 1, "the slow request reached the broker");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.WaitAsync(TestOptions.NoHang));

        // The only slot is free again although the slow response has not arrived.
        Task<MetadataResponse> next = connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor("next")).AsTask();
        release.SetResult();
        Assert.Equal("next", TopicOf(await next.WaitAsync(TestOptions.NoHang)));
        Assert.False(connection.IsClosed);
        Assert.Equal("after", TopicOf(await connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor("after")).AsTask().WaitAsync(TestOptions.NoHang)));
    }

    [Fact]
    public async Task DisposalFailsEveryPendingRequestWithAClearException()
    {
        var never = new TaskCompletionSource();
        await using var broker = new FakeBroker();
        broker.OnRequest = async request =>
        {
            if (request.ApiKey == ApiKey.Metadata) await never.Task;
            return false;
        };
        BrokerConnection connection = await TestOptions.ConnectAsync(broker, o => o.MaxInFlightPerConnection = 2);
        Task<MetadataResponse>[] sends = Enumerable.Range(0, 5)
            .Select(i => connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor($"t{i}")).AsTask())
            .ToArray();
        await Eventually.TrueAsync(() => broker.MaxPipelined == 2, "two requests in flight");

        await connection.DisposeAsync();

        foreach (Task<MetadataResponse> send in sends)
        {
            var exception = await Assert.ThrowsAnyAsync<Exception>(() => send.WaitAsync(TestOptions.NoHang));
            Assert.True(exception is ObjectDisposedException or KafkaConnectionException, exception.ToString());
            Assert.Contains("disposed", exception.Message, StringComparison.OrdinalIgnoreCase);
        }
        Assert.True(connection.IsClosed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor("late")).AsTask());
        never.SetResult();
    }

    [Fact]
    public async Task ConnectTimeoutAppliesToAListenerWhoseBacklogIsFull()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        // Nothing accepts: once these fill the accept queue the kernel drops further SYNs.
        var fillers = new List<Socket>();
        for (int i = 0; i < 4; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            _ = filler.ConnectAsync(IPAddress.Loopback, port);
        }
        try
        {
            var time = new FakeTimeProvider();
            KafkaClientOptions options = TestOptions.For($"127.0.0.1:{port}", o =>
            {
                o.ConnectTimeout = TimeSpan.FromMilliseconds(500);
                o.RequestTimeout = TimeSpan.FromMinutes(5);
                o.TimeProvider = time;
            });
            // The connect deadline is armed before the call returns; passing it fails the dial that hangs in the backlog.
            Task<BrokerConnection> connecting = BrokerConnection.ConnectAsync(7, new BrokerEndpoint("127.0.0.1", port), options);
            time.Advance(TimeSpan.FromMilliseconds(500));
            var exception = await Assert.ThrowsAsync<KafkaTimeoutException>(() => connecting.WaitAsync(TestOptions.NoHang));
            Assert.Contains("connect timeout of 500 ms", exception.Message);
            Assert.True(exception.IsRetriable);
        }
        finally
        {
            foreach (Socket filler in fillers) filler.Dispose();
        }
    }

    [Fact]
    public async Task ConnectTimeoutCoversTheApiVersionsHandshake()
    {
        var never = new TaskCompletionSource();
        var handshakeArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var time = new FakeTimeProvider();
        await using var broker = new FakeBroker();
        broker.OnRequest = async _ =>
        {
            handshakeArrived.TrySetResult();
            await never.Task;
            return true;
        };
        Task<BrokerConnection> connecting = TestOptions.ConnectAsync(broker, o =>
        {
            o.ConnectTimeout = TimeSpan.FromMilliseconds(300);
            o.RequestTimeout = TimeSpan.FromMinutes(5);
            o.TimeProvider = time;
        });
        await handshakeArrived.Task.WaitAsync(TestOptions.NoHang);
        time.Advance(TimeSpan.FromMilliseconds(300));
        var exception = await Assert.ThrowsAsync<KafkaTimeoutException>(() => connecting.WaitAsync(TestOptions.NoHang));
        Assert.Contains("connect timeout", exception.Message);
        never.SetResult();
    }

    [Fact]
    public async Task RequestTimeoutIsSeparateFromTheConnectTimeoutAndClosesTheConnection()
    {
        var never = new TaskCompletionSource();
        var time = new FakeTimeProvider();
        var arrived = Channel.CreateUnbounded<string>();
        await using var broker = new FakeBroker();
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.Metadata) return false;
            string topic = request.Read<MetadataRequest>().Topics![0].Name!;
            // The hold starts before the test hears of the request, so its advance cannot come first.
            Task hold = Task.Delay(TimeSpan.FromMilliseconds(700), time);
            arrived.Writer.TryWrite(topic);
            if (topic == "never") await never.Task;
            await hold;
            await request.RespondAsync(Echo(request.Read<MetadataRequest>()));
            return true;
        };

        // A slow answer within the request timeout succeeds although it exceeds the connect timeout.
        await using (BrokerConnection patient = await TestOptions.ConnectAsync(broker, o =>
        {
            o.ConnectTimeout = TimeSpan.FromMilliseconds(300);
            o.RequestTimeout = TimeSpan.FromSeconds(15);
            o.TimeProvider = time;
        }))
        {
            Task<MetadataResponse> slow = patient.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor("slow")).AsTask();
            Assert.Equal("slow", await arrived.Reader.ReadAsync().AsTask().WaitAsync(TestOptions.NoHang));
            time.Advance(TimeSpan.FromMilliseconds(700));
            MetadataResponse response = await slow.WaitAsync(TestOptions.NoHang);
            Assert.Equal("slow", TopicOf(response));
        }

        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker, o =>
        {
            o.ConnectTimeout = TimeSpan.FromSeconds(15);
            o.RequestTimeout = TimeSpan.FromMilliseconds(300);
            o.TimeProvider = time;
        });
        Task<MetadataResponse> unanswered = connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor("never")).AsTask();
        Assert.Equal("never", await arrived.Reader.ReadAsync().AsTask().WaitAsync(TestOptions.NoHang));
        time.Advance(TimeSpan.FromMilliseconds(400));
        var exception = await Assert.ThrowsAsync<KafkaTimeoutException>(() => unanswered.WaitAsync(TestOptions.NoHang));
        Assert.Contains("request timeout of 300 ms", exception.Message);
        Assert.Equal(ErrorCode.RequestTimedOut, exception.ErrorCode);
        await connection.Closed.WaitAsync(TestOptions.NoHang);
        never.SetResult();
    }

    [Fact]
    public async Task APerRequestTimeoutOverridesTheDefault()
    {
        var time = new FakeTimeProvider();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broker = new FakeBroker();
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.Metadata) return false;
            Task hold = Task.Delay(TimeSpan.FromMilliseconds(600), time);
            arrived.TrySetResult();
            await hold;
            await request.RespondAsync(Echo(request.Read<MetadataRequest>()));
            return true;
        };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker, o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(200);
            o.TimeProvider = time;
        });
        Task<MetadataResponse> longPoll = connection.SendAsync<MetadataRequest, MetadataResponse>(
            MetadataFor("long-poll"), new SendOptions(Timeout: TimeSpan.FromSeconds(15))).AsTask();
        await arrived.Task.WaitAsync(TestOptions.NoHang);
        // Past the default timeout, well within this request's own.
        time.Advance(TimeSpan.FromMilliseconds(600));
        MetadataResponse response = await longPoll.WaitAsync(TestOptions.NoHang);
        Assert.Equal("long-poll", TopicOf(response));
    }

    [Fact]
    public async Task NegotiationPicksTheHighestVersionBothSidesSupportAndNeverAnUnstableOne()
    {
        await using var broker = new FakeBroker();
        broker.ApiVersions.ApiKeys.Single(a => a.ApiKey == (short)ApiKey.Metadata).MaxVersion = 9;
        broker.ApiVersions.ApiKeys.Single(a => a.ApiKey == (short)ApiKey.ListOffsets).MinVersion = 100;
        broker.ApiVersions.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ShareFetch, MinVersion = 0, MaxVersion = 1 });
        broker.ApiVersions.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.Produce, MinVersion = 0, MaxVersion = 99 });
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker);

        Assert.Equal(9, connection.Versions.Negotiate<MetadataRequest>());
        Assert.Equal(7, connection.Versions.Negotiate<MetadataRequest>(maxVersion: 7));
        Assert.Equal(ProduceRequest.HighestSupportedVersion, connection.Versions.Negotiate<ProduceRequest>());
        // EndTxn's newest schema version is unstable: the broker offers it, the client must not use it.
        Assert.Equal(EndTxnRequest.HighestSupportedVersion - 1, connection.Versions.Negotiate<EndTxnRequest>());
        Assert.False(connection.Versions.IsSupported<ShareFetchRequest>());
        Assert.Throws<UnsupportedVersionException>(() => connection.Versions.Negotiate<ListOffsetsRequest>());
        var missing = Assert.Throws<UnsupportedVersionException>(() => connection.Versions.Negotiate<FetchRequest>());
        Assert.Contains("Fetch", missing.Message);
        Assert.Equal([ApiVersionsRequest.HighestSupportedVersion], broker.ApiVersionsVersionsSeen);
    }

    [Fact]
    public async Task AnOlderBrokerAnsweringUnsupportedVersionGetsApiVersionsAgainAtItsVersion()
    {
        await using var broker = new FakeBroker { MaxApiVersionsVersion = 2 };
        broker.ApiVersions.ApiKeys.Single(a => a.ApiKey == (short)ApiKey.ApiVersions).MaxVersion = 2;
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker);

        Assert.Equal([(short)4, (short)2], broker.ApiVersionsVersionsSeen);
        Assert.Equal(2, connection.Versions.Negotiate<ApiVersionsRequest>());
        Assert.NotNull(await connection.SendAsync<MetadataRequest, MetadataResponse>(MetadataFor("x")).AsTask().WaitAsync(TestOptions.NoHang));
    }
}
