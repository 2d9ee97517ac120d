using System.Buffers.Binary;
using System.Text;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Tests;

/// <summary>
/// Brokers that send something other than well-formed Kafka: the pending request must fail with a
/// <see cref="KafkaProtocolException"/> and the connection must close, never hang or allocate what a
/// bogus length asks for.
/// </summary>
public sealed class HostileBrokerTests
{
    private static readonly MetadataRequest Request = new() { Topics = [], AllowAutoTopicCreation = false };

    private static async Task<(KafkaProtocolException Exception, BrokerConnection Connection, FakeConnection Server)> SendAndExpectProtocolErrorAsync(
        Func<FakeRequest, ValueTask> misbehave)
    {
        var broker = new FakeBroker();
        FakeConnection? server = null;
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.Metadata) return false;
            server = request.Connection;
            await misbehave(request);
            return true;
        };
        BrokerConnection connection = await TestOptions.ConnectAsync(broker);
        try
        {
            var exception = await Assert.ThrowsAsync<KafkaProtocolException>(
                () => connection.SendAsync<MetadataRequest, MetadataResponse>(Request).AsTask().WaitAsync(TestOptions.NoHang));
            await connection.Closed.WaitAsync(TestOptions.NoHang);
            Assert.True(connection.IsClosed);
            // The client closed its side, so the broker's read loop sees the end of the stream.
            await Eventually.TrueAsync(() => server!.IsClosed, "the broker saw the connection close");
            return (exception, connection, server!);
        }
        finally
        {
            await connection.DisposeAsync();
            await broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task GarbageInsteadOfAResponse()
    {
        // An HTTP server on the Kafka port: "HTTP" read as a size is 1.2 GB.
        var (exception, _, _) = await SendAndExpectProtocolErrorAsync(request =>
            request.Connection.WriteRawAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")));
        Assert.Contains("exceeds the maximum", exception.Message);
        Assert.Equal("size", exception.Field);
    }

    [Fact]
    public async Task GarbageInsideAPlausibleFrame()
    {
        var (exception, _, _) = await SendAndExpectProtocolErrorAsync(request =>
        {
            byte[] frame = new byte[4 + 12];
            BinaryPrimitives.WriteInt32BigEndian(frame, 12);
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), request.CorrelationId);
            frame.AsSpan(8).Fill(0xFF);
            return request.Connection.WriteRawAsync(frame);
        });
        Assert.NotNull(exception.Field);
    }

    [Fact]
    public async Task ATruncatedFrameFollowedByClose()
    {
        var (exception, _, _) = await SendAndExpectProtocolErrorAsync(async request =>
        {
            byte[] partial = new byte[4 + 10];
            BinaryPrimitives.WriteInt32BigEndian(partial, 100);
            BinaryPrimitives.WriteInt32BigEndian(partial.AsSpan(4), request.CorrelationId);
            await request.Connection.WriteRawAsync(partial);
            request.Connection.Close();
        });
        Assert.Contains("in the middle of a response", exception.Message);
    }

    [Fact]
    public async Task AWrongCorrelationId()
    {
        var (exception, _, _) = await SendAndExpectProtocolErrorAsync(request =>
            request.RespondAsync(new MetadataResponse(), correlationId: request.CorrelationId + 1000));
        Assert.Contains("correlation id", exception.Message);
        Assert.Equal("correlation_id", exception.Field);
    }

    [Fact]
    public async Task ANegativeSizePrefix()
    {
        var (exception, _, _) = await SendAndExpectProtocolErrorAsync(request =>
            request.Connection.WriteRawAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xF0, 1, 2, 3, 4 }));
        Assert.Contains("negative", exception.Message);
    }

    [Fact]
    public async Task ATwoGigabyteSizePrefixIsRejectedWithoutAllocatingIt()
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var (exception, _, _) = await SendAndExpectProtocolErrorAsync(async request =>
        {
            byte[] prefix = new byte[4 + 1024];
            BinaryPrimitives.WriteInt32BigEndian(prefix, int.MaxValue);
            BinaryPrimitives.WriteInt32BigEndian(prefix.AsSpan(4), request.CorrelationId);
            // Keep the connection open and keep sending: only the size check may end this.
            await request.Connection.WriteRawAsync(prefix);
        });
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Contains("2147483647", exception.Message);
        Assert.InRange(allocated, 0, 32L * 1024 * 1024);
    }

    [Fact]
    public async Task AResponseWithNoRequestWaiting()
    {
        await using var broker = new FakeBroker();
        FakeConnection? server = null;
        broker.OnRequest = request =>
        {
            server = request.Connection;
            return ValueTask.FromResult(false);
        };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker);
        byte[] unsolicited = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(unsolicited, 4);
        BinaryPrimitives.WriteInt32BigEndian(unsolicited.AsSpan(4), 12345);
        await server!.WriteRawAsync(unsolicited);
        await connection.Closed.WaitAsync(TestOptions.NoHang);
        Assert.IsType<KafkaProtocolException>(connection.CloseReason);
        await Assert.ThrowsAsync<KafkaConnectionException>(() => connection.SendAsync<MetadataRequest, MetadataResponse>(Request).AsTask());
    }
}
