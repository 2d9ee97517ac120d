using System.Buffers.Binary;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Sim.Tests.Support;

namespace KafkaNative.Sim.Tests;

/// <summary>Broken input closes the offending session (or gets a Kafka error) and never disturbs anyone else.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private SimulatedCluster _cluster = null!;
    private KafkaTestClient _bystander = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { MaxRequestSize = 1024 * 1024 });
        _bystander = await KafkaTestClient.ConnectAsync(_cluster, 0);
    }

    public async Task DisposeAsync()
    {
        // Whatever the test did, the cluster still serves the client that behaved.
        MetadataResponse metadata = await _bystander.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = null }, 9);
        Assert.Equal(3, metadata.Brokers.Count);
        await _bystander.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    private static byte[] Frame(params byte[] body)
    {
        byte[] frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static byte[] Header(short apiKey, short version, int correlationId)
    {
        byte[] header = new byte[10];
        BinaryPrimitives.WriteInt16BigEndian(header, apiKey);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(2), version);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), correlationId);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(8), -1);
        return header;
    }

    [Fact]
    public async Task Garbage_frames_close_the_session()
    {
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(_cluster, 0);
        var random = new Random(7);
        byte[] garbage = new byte[64];
        random.NextBytes(garbage);
        garbage[0] = 0;
        garbage[1] = 3; // Metadata, with a nonsense body
        garbage[2] = 0;
        garbage[3] = 9;
        await client.SendRawAsync(Frame(garbage));
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_frame_too_short_for_a_header_closes_the_session()
    {
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(_cluster, 1);
        await client.SendRawAsync(Frame(1, 2, 3));
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Unknown_api_keys_and_unsupported_versions_close_the_session()
    {
        await using KafkaTestClient unknown = await KafkaTestClient.ConnectAsync(_cluster, 0);
        await unknown.SendRawAsync(Frame(Header(999, 0, 1)));
        Assert.True(await unknown.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));

        await using KafkaTestClient tooNew = await KafkaTestClient.ConnectAsync(_cluster, 0);
        await tooNew.SendRawAsync(Frame(Header((short)ApiKey.Produce, 99, 1)));
        Assert.True(await tooNew.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task An_unsupported_ApiVersions_version_gets_UNSUPPORTED_VERSION_at_v0_with_the_supported_range()
    {
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(_cluster, 2);
        await client.SendRawAsync(Frame([.. Header((short)ApiKey.ApiVersions, 127, 42), 0, 0]));
        byte[] frame = (await client.ReceiveFrameAsync(TimeSpan.FromSeconds(5)))!;
        var reader = new KafkaReader(frame.AsMemory());
        Assert.Equal(42, ResponseHeader.Read(ref reader, 0).CorrelationId);
        ApiVersionsResponse response = ApiVersionsResponse.Read(ref reader, 0);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        ApiVersionsResponse.ApiVersion range = Assert.Single(response.ApiKeys);
        Assert.Equal((short)ApiKey.ApiVersions, range.ApiKey);
        Assert.Equal(4, range.MaxVersion);

        // The session stays usable: the client downgrades.
        ApiVersionsResponse ok = await client.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, 3);
        Assert.Equal((short)ErrorCode.None, ok.ErrorCode);
        Assert.Contains(ok.ApiKeys, k => k.ApiKey == (short)ApiKey.Fetch && k.MaxVersion == 17);
    }

    [Fact]
    public async Task An_oversized_frame_closes_the_session_before_it_is_buffered()
    {
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(_cluster, 0);
        byte[] prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, 512 * 1024 * 1024);
        await client.SendRawAsync(prefix);
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_request_does_not_disturb_the_broker()
    {
        for (int i = 0; i < 5; i++)
        {
            await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(_cluster, i % 3);
            byte[] partial = Frame([.. Header((short)ApiKey.Metadata, 9, 1), 1, 2, 3, 4, 5, 6, 7, 8]);
            await client.SendRawAsync(partial[..(partial.Length / 2)]);
        }
        await using KafkaTestClient after = await KafkaTestClient.ConnectAsync(_cluster, 0);
        ApiVersionsResponse ok = await after.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        Assert.Equal((short)ErrorCode.None, ok.ErrorCode);
    }

    [Fact]
    public async Task Requests_before_sasl_authentication_close_the_session()
    {
        await using SimulatedCluster secured = await SimulatedCluster.StartAsync(Clusters.Options(brokers: 1) with { SaslUsers = new Dictionary<string, string> { ["alice"] = "secret" } });
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(secured, 0);
        await client.SendOnlyAsync(new MetadataRequest { Topics = null }, 9);
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
    }
}
