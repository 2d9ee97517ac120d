using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Client.Tests;

/// <summary>The request path allocates only the response object in steady state (measured against a broker that allocates nothing per request).</summary>
public sealed class AllocationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static byte[] Encode<T>(T response, short version) where T : class, IKafkaResponse<T>
    {
        using var buffer = new PooledBufferWriter();
        int start = Framing.BeginFrame(buffer);
        var writer = new KafkaWriter(buffer);
        new ResponseHeader().Write(ref writer, T.ResponseHeaderVersion(version));
        response.Write(ref writer, version);
        writer.Flush();
        Framing.EndFrame(buffer, start);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public async Task SteadyStateRequestsAllocateLittleMoreThanTheResponse()
    {
        short metadataVersion = MetadataRequest.HighestSupportedVersion;
        var versions = FakeBroker.DefaultApiVersions();
        byte[] apiVersionsFrame = Encode(versions, ApiVersionsRequest.HighestSupportedVersion);
        byte[] metadataFrame = Encode(new MetadataResponse(), metadataVersion);

        // Not the FakeBroker: the counter is process-wide, and the fake allocates a frame and a request per request.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task server = Task.Run(async () =>
        {
            using Socket socket = await listener.AcceptSocketAsync();
            await using var stream = new NetworkStream(socket);
            byte[] request = new byte[64 * 1024];
            for (bool first = true; ; first = false)
            {
                try
                {
                    await stream.ReadExactlyAsync(request.AsMemory(0, 4));
                    int size = BinaryPrimitives.ReadInt32BigEndian(request);
                    await stream.ReadExactlyAsync(request.AsMemory(0, size));
                }
                catch (EndOfStreamException)
                {
                    return;
                }
                byte[] reply = first ? apiVersionsFrame : metadataFrame;
                reply.AsSpan(4, 4).Clear();
                request.AsSpan(4, 4).CopyTo(reply.AsSpan(4));
                await stream.WriteAsync(reply);
            }
        });

        await using BrokerConnection connection = await BrokerConnection.ConnectAsync(1, new BrokerEndpoint("127.0.0.1", port), TestOptions.For($"127.0.0.1:{port}"));
        var request = new MetadataRequest { Topics = [], AllowAutoTopicCreation = false };
        for (int i = 0; i < 2000; i++) await connection.SendAsync<MetadataRequest, MetadataResponse>(request);

        // The counter is process-wide (timers, thread-pool growth, tiered JIT, other tests on a loaded machine): take the quietest of several rounds.
        const int count = 5000;
        long perRequest = long.MaxValue;
        for (int round = 0; round < 12; round++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < count; i++) await connection.SendAsync<MetadataRequest, MetadataResponse>(request);
            perRequest = Math.Min(perRequest, (GC.GetTotalAllocatedBytes(precise: true) - before) / count);
        }

        // Measured: about 190 bytes besides the response (thread-pool continuation, pipe reads); pending requests, state machines and frames are pooled.
        long responseSize = MeasureResponseAllocation(metadataFrame, metadataVersion);
        output.WriteLine($"{perRequest} bytes allocated per request; decoding the response alone allocates {responseSize}");
        Assert.True(perRequest <= responseSize + 256, $"{perRequest} bytes per request; the response alone is {responseSize}");

        await connection.DisposeAsync();
        await server.WaitAsync(TestOptions.NoHang);
    }

    private static long MeasureResponseAllocation(byte[] frame, short version)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var reader = new KafkaReader(frame.AsSpan(8 + (MetadataResponse.ResponseHeaderVersion(version) >= 1 ? 1 : 0)));
        MetadataResponse.Read(ref reader, version);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
