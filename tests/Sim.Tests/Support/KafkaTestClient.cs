using System.Buffers.Binary;
using System.Net.Sockets;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Sim.Tests.Support;

/// <summary>A bare Kafka wire client for tests: one connection, one request at a time unless told otherwise.</summary>
internal sealed class KafkaTestClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private KafkaTestClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<KafkaTestClient> ConnectAsync(SimulatedCluster cluster, int brokerId)
    {
        string address = cluster.BootstrapServers.Split(',')[brokerId];
        int port = int.Parse(address[(address.LastIndexOf(':') + 1)..]);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        return new KafkaTestClient(socket);
    }

    public Stream Stream => _stream;

    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version, TimeSpan? timeout = null)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        int correlationId = await SendOnlyAsync(request, version);
        return await ReceiveAsync<TResponse>(correlationId, version, timeout);
    }

    public async Task<int> SendOnlyAsync<TRequest>(TRequest request, short version) where TRequest : class, IKafkaRequest<TRequest>
    {
        int correlationId = ++_correlationId;
        using var output = new PooledBufferWriter();
        int start = Framing.BeginFrame(output);
        var writer = new KafkaWriter(output);
        new RequestHeader { RequestApiKey = (short)TRequest.ApiKey, RequestApiVersion = version, CorrelationId = correlationId, ClientId = "sim-tests" }
            .Write(ref writer, TRequest.RequestHeaderVersion(version));
        request.Write(ref writer, version);
        writer.Flush();
        Framing.EndFrame(output, start);
        await _stream.WriteAsync(output.WrittenMemory);
        return correlationId;
    }

    public async Task<TResponse> ReceiveAsync<TResponse>(int correlationId, short version, TimeSpan? timeout = null) where TResponse : class, IKafkaResponse<TResponse>
    {
        byte[] frame = await ReceiveFrameAsync(timeout ?? DefaultTimeout) ?? throw new IOException("The broker closed the connection.");
        var reader = new KafkaReader(frame.AsMemory());
        ResponseHeader header = ResponseHeader.Read(ref reader, TResponse.ResponseHeaderVersion(version));
        Assert.Equal(correlationId, header.CorrelationId);
        return TResponse.Read(ref reader, version);
    }

    /// <summary>Reads one response frame; null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReceiveFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        byte[] prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, cts.Token)) return null;
        byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(frame, cts.Token) ? frame : null;
    }

    /// <summary>True when the broker closes the connection within <paramref name="timeout"/> (any response frames are skipped).</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan timeout)
    {
        try
        {
            while (await ReceiveFrameAsync(timeout) is not null)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken ct)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await _stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
