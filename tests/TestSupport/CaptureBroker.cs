using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.TestSupport;

/// <summary>A captured request: its header, version and the raw frame (without the size prefix).</summary>
public sealed record CapturedRequest(ApiKey ApiKey, short Version, RequestHeader Header, byte[] Frame, int BodyOffset);

/// <summary>A response the capture broker sent: the frame without its size prefix (header and body).</summary>
public sealed record CapturedResponse(ApiKey ApiKey, short Version, byte[] Frame);

/// <summary>
/// A one-node "broker" for golden-byte tests and fuzz seeds: it answers just enough (ApiVersions, Metadata for one
/// topic with one partition, Produce) for a real client to send what we want to see, and records
/// every request frame it receives.
/// </summary>
public sealed class CaptureBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly short _maxProduceVersion;
    private readonly short _maxFetchVersion;
    private long _nextOffset;

    /// <param name="topic">The one topic the broker claims to have.</param>
    /// <param name="maxProduceVersion">Highest Produce version to advertise.</param>
    /// <param name="maxFetchVersion">Highest Fetch version to advertise. librdkafka writes magic v2 batches
    /// only when Produce v3+ and Fetch v4+ are both available, and legacy message sets otherwise.</param>
    public CaptureBroker(string topic, short maxProduceVersion = 11, short maxFetchVersion = 12)
    {
        Topic = topic;
        _maxProduceVersion = maxProduceVersion;
        _maxFetchVersion = maxFetchVersion;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public string Topic { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Bootstrap => $"127.0.0.1:{Port}";
    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    /// <summary>Every answer, at the version the client asked for: fuzz seeds for the client's response decoders.</summary>
    public ConcurrentQueue<CapturedResponse> Responses { get; } = new();

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
                sessions.Add(ServeAsync(await _listener.AcceptSocketAsync(_stop.Token)));
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        await Task.WhenAll(sessions).ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(chunk, _stop.Token);
                if (read == 0) return;
                pending.Write(chunk.AsSpan(0, read));
                var buffer = new ReadOnlySequence<byte>(pending.WrittenMemory);
                while (Framing.TryReadFrame(ref buffer, 16 * 1024 * 1024, out ReadOnlySequence<byte> frame))
                {
                    byte[] response = Handle(frame.ToArray());
                    await stream.WriteAsync(response, _stop.Token);
                }
                byte[] rest = buffer.ToArray();
                pending.Clear();
                pending.Write(rest);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException) { }
    }

    private byte[] Handle(byte[] frame)
    {
        var apiKey = (ApiKey)(short)(frame[0] << 8 | frame[1]);
        short version = (short)(frame[2] << 8 | frame[3]);
        short headerVersion = apiKey switch
        {
            ApiKey.ApiVersions => ApiVersionsRequest.RequestHeaderVersion(version),
            ApiKey.Metadata => MetadataRequest.RequestHeaderVersion(version),
            ApiKey.Produce => ProduceRequest.RequestHeaderVersion(version),
            _ => throw new InvalidOperationException($"The capture broker does not answer {apiKey}."),
        };
        var reader = new KafkaReader(frame.AsMemory());
        RequestHeader header = RequestHeader.Read(ref reader, headerVersion);
        Requests.Enqueue(new CapturedRequest(apiKey, version, header, frame, reader.Position));

        byte[] response = apiKey switch
        {
            ApiKey.ApiVersions => Respond(header.CorrelationId, version, ApiVersions()),
            ApiKey.Metadata => Respond(header.CorrelationId, version, Metadata()),
            _ => Respond(header.CorrelationId, version, Produced(ProduceRequest.Read(ref reader, version))),
        };
        Responses.Enqueue(new CapturedResponse(apiKey, version, response[4..]));
        return response;
    }

    private ApiVersionsResponse ApiVersions()
    {
        var response = new ApiVersionsResponse();
        response.ApiKeys.Add(new() { ApiKey = (short)ApiKey.Produce, MinVersion = 0, MaxVersion = _maxProduceVersion });
        response.ApiKeys.Add(new() { ApiKey = (short)ApiKey.Fetch, MinVersion = 0, MaxVersion = _maxFetchVersion });
        response.ApiKeys.Add(new() { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = MetadataRequest.HighestSupportedVersion });
        // librdkafka infers broker features from the whole list (lz4 needs the group APIs, for one),
        // so advertise what a real broker of the same era would, though only the above are answered.
        foreach (ApiKey other in new[] { ApiKey.ListOffsets, ApiKey.OffsetCommit, ApiKey.OffsetFetch, ApiKey.FindCoordinator,
                     ApiKey.JoinGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup, ApiKey.SyncGroup, ApiKey.DescribeGroups, ApiKey.ListGroups })
            response.ApiKeys.Add(new() { ApiKey = (short)other, MinVersion = 0, MaxVersion = 3 });
        response.ApiKeys.Add(new() { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = ApiVersionsRequest.HighestSupportedVersion });
        return response;
    }

    private MetadataResponse Metadata()
    {
        var response = new MetadataResponse { ClusterId = "golden-cluster", ControllerId = 0 };
        response.Brokers.Add(new() { NodeId = 0, Host = "127.0.0.1", Port = Port });
        var topic = new MetadataResponse.MetadataResponseTopic { Name = Topic, TopicId = Guid.NewGuid() };
        topic.Partitions.Add(new() { PartitionIndex = 0, LeaderId = 0, LeaderEpoch = 0, ReplicaNodes = [0], IsrNodes = [0] });
        response.Topics.Add(topic);
        return response;
    }

    private ProduceResponse Produced(ProduceRequest request)
    {
        var response = new ProduceResponse();
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            foreach (var partition in topic.PartitionData)
                topicResponse.PartitionResponses.Add(new() { Index = partition.Index, BaseOffset = Interlocked.Add(ref _nextOffset, 1000) - 1000 });
            response.Responses.Add(topicResponse);
        }
        return response;
    }

    private static byte[] Respond<TResponse>(int correlationId, short version, TResponse body) where TResponse : class, IKafkaResponse<TResponse>
    {
        using var output = new PooledBufferWriter();
        int frame = Framing.BeginFrame(output);
        var writer = new KafkaWriter(output);
        new ResponseHeader { CorrelationId = correlationId }.Write(ref writer, TResponse.ResponseHeaderVersion(version));
        body.Write(ref writer, version);
        writer.Flush();
        Framing.EndFrame(output, frame);
        return output.WrittenSpan.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
