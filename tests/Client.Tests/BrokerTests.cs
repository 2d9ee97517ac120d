using System.Runtime.InteropServices;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Client.Tests;

public sealed class BrokerTests
{
    [Fact]
    public async Task AFailingBrokerIsRetriedWithGrowingBackoffNotHammered()
    {
        await using var broker = new FakeBroker();
        broker.OnRequest = request =>
        {
            request.Connection.Close();
            return ValueTask.FromResult(true);
        };
        var time = new FakeTimeProvider();
        KafkaClientOptions options = TestOptions.For(broker.Bootstrap, o =>
        {
            o.ReconnectBackoffMin = TimeSpan.FromMilliseconds(100);
            o.ReconnectBackoffMax = TimeSpan.FromSeconds(2);
            o.TimeProvider = time;
        });
        var kafkaBroker = new KafkaBroker(1, broker.Endpoint, options, new ReconnectBackoff(new RetryBackoff(options.ReconnectBackoffMin, options.ReconnectBackoffMax), time));
        try
        {
            await DialFailsAsync();
            Assert.Equal(1, broker.Accepted);
            // After failure n the broker rests 100 ms × 2^(n-1), ±20%: every call before that fails fast, without dialling.
            for (int failure = 1; failure <= 4; failure++)
            {
                double rest = 100 * Math.Pow(2, failure - 1);
                time.Advance(TimeSpan.FromMilliseconds(rest * 0.8 - 1));
                var fast = await Assert.ThrowsAsync<KafkaConnectionException>(() => kafkaBroker.GetConnectionAsync().AsTask().WaitAsync(TestOptions.NoHang));
                Assert.Contains("next connection attempt", fast.Message);
                Assert.True(fast.IsRetriable);
                Assert.Equal(failure, broker.Accepted);

                time.Advance(TimeSpan.FromMilliseconds(rest * 0.4 + 2));
                await DialFailsAsync();
                await Eventually.TrueAsync(() => broker.Accepted == failure + 1, $"dial {failure + 1} accepted");
            }
        }
        finally
        {
            await kafkaBroker.DisposeAsync();
        }

        async Task DialFailsAsync()
        {
            var exception = await Assert.ThrowsAsync<KafkaConnectionException>(() => kafkaBroker.GetConnectionAsync().AsTask().WaitAsync(TestOptions.NoHang));
            Assert.DoesNotContain("next connection attempt", exception.Message);
            Assert.True(exception.IsRetriable);
        }
    }

    [Fact]
    public async Task LeasesShareOneConnectionThatOutlivesTheLastLeaseUntilTheClusterCloses()
    {
        await using var one = new FakeBroker(1);
        await using var two = new FakeBroker(2);
        Func<MetadataRequest, MetadataResponse> metadata = _ =>
        {
            MetadataResponse response = one.SingleBrokerMetadata();
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = 2, Host = "127.0.0.1", Port = two.Port });
            return response;
        };
        one.Metadata = metadata;
        // Broker 1 serves metadata (the cluster keeps a lease on it); broker 2 is leased by the test alone.
        await using var cluster = new KafkaCluster(TestOptions.For(one.Bootstrap));
        await cluster.GetMetadataAsync();
        BrokerLease first = await cluster.AcquireBrokerAsync(2);
        BrokerLease second = await cluster.AcquireBrokerAsync(2);
        Assert.Same(first.Broker, second.Broker);
        BrokerConnection connection = await first.Broker.GetConnectionAsync();
        Assert.Same(connection, await second.Broker.GetConnectionAsync());

        first.Dispose();
        first.Dispose();
        Assert.False(connection.IsClosed);
        await second.Broker.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] });

        second.Dispose();
        // A partition that leaves a broker and comes back (a retry, a leader move) reuses the connection.
        Assert.False(connection.IsClosed);
        using (BrokerLease again = await cluster.AcquireBrokerAsync(2))
            Assert.Same(connection, await again.Broker.GetConnectionAsync());

        await cluster.DisposeAsync();
        await connection.Closed.WaitAsync(TestOptions.NoHang);
        Assert.IsType<ObjectDisposedException>(connection.CloseReason);
    }

    [Fact]
    public async Task ABrokerReconnectsAfterItsConnectionDrops()
    {
        await using var broker = new FakeBroker();
        await using var cluster = new KafkaCluster(TestOptions.For(broker.Bootstrap));
        using BrokerLease lease = await cluster.AcquireBrokerAsync(1);
        BrokerConnection first = await lease.Broker.GetConnectionAsync();
        broker.DropConnections();
        await first.Closed.WaitAsync(TestOptions.NoHang);
        var exception = Assert.IsType<KafkaConnectionException>(first.CloseReason);
        Assert.True(exception.IsRetriable);

        MetadataResponse response = await lease.Broker.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }).AsTask().WaitAsync(TestOptions.NoHang);
        Assert.Single(response.Brokers);
        Assert.NotSame(first, await lease.Broker.GetConnectionAsync());
    }

    [Fact]
    public async Task ALeasedResponseIsAZeroCopyViewOfAPooledBufferUntilDisposed()
    {
        byte[] token = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        await using var broker = new FakeBroker();
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.SaslAuthenticate) return false;
            await request.RespondAsync(new SaslAuthenticateResponse { AuthBytes = token });
            return true;
        };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker);

        ResponseLease<SaslAuthenticateResponse> lease = await connection.SendLeasedAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(
            new SaslAuthenticateRequest { AuthBytes = new byte[] { 1 } });
        ReadOnlyMemory<byte> bytes = lease.Response.AuthBytes;
        Assert.Equal(token, bytes.ToArray());
        Assert.True(MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment));
        Assert.True(segment.Offset > 0, "the bytes are a slice of the whole response frame, not a copy");
        Assert.Equal(SaslAuthenticateRequest.HighestSupportedVersion, lease.Version);

        lease.Dispose();
        lease.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lease.Response);

        // The plain path copies, so the response outlives the pooled frame.
        SaslAuthenticateResponse copied = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = new byte[] { 1 } });
        Assert.True(MemoryMarshal.TryGetArray(copied.AuthBytes, out ArraySegment<byte> own));
        Assert.Equal(0, own.Offset);
        Assert.Equal(token.Length, own.Array!.Length);
    }
}
