using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Client.Tests.Fakes;

/// <summary>
/// A tiny Kafka broker for tests: it frames and decodes requests with the generated types and
/// answers ApiVersions and Metadata by default; <see cref="OnRequest"/> overrides anything, including
/// sending garbage. Each connection reads requests on one task and answers them in order on another,
/// so tests can see how many requests a client pipelines.
/// </summary>
internal sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<FakeConnection> _connections = new();
    private readonly ConcurrentDictionary<ApiKey, int> _counts = new();

    public FakeBroker(int nodeId = 1, X509Certificate2? certificate = null)
    {
        NodeId = nodeId;
        Certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        ApiVersions = DefaultApiVersions();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int NodeId { get; }

    public int Port { get; }

    public X509Certificate2? Certificate { get; }

    public string Bootstrap => $"127.0.0.1:{Port}";

    public BrokerEndpoint Endpoint => new("127.0.0.1", Port);

    /// <summary>What ApiVersions answers (at the requested version).</summary>
    public ApiVersionsResponse ApiVersions { get; set; }

    /// <summary>Highest ApiVersions version accepted; above it the broker answers UNSUPPORTED_VERSION at v0 (KIP-511).</summary>
    public short MaxApiVersionsVersion { get; set; } = 4;

    /// <summary>Versions of ApiVersions requests received, in order.</summary>
    public ConcurrentQueue<short> ApiVersionsVersionsSeen { get; } = new();

    /// <summary>Builds the Metadata response; defaults to this broker alone and no topics.</summary>
    public Func<MetadataRequest, MetadataResponse>? Metadata { get; set; }

    /// <summary>Handles a request; return false to fall through to the defaults.</summary>
    public Func<FakeRequest, ValueTask<bool>>? OnRequest { get; set; }

    /// <summary>SASL users and passwords; null means SASL is not enabled.</summary>
    public IReadOnlyDictionary<string, string>? SaslUsers { get; set; }

    /// <summary>Session lifetime granted on successful SASL authentication (KIP-368); zero means none.</summary>
    public long SessionLifetimeMs { get; set; }

    /// <summary>Successful SASL authentications, re-authentications included.</summary>
    public int Authentications => _authentications;

    private int _authentications;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => _connections.Count;

    /// <summary>Largest number of requests read but not yet answered on one connection.</summary>
    public int MaxPipelined => _connections.IsEmpty ? 0 : _connections.Max(c => c.MaxPipelined);

    public int Count(ApiKey api) => _counts.GetValueOrDefault(api);

    public IEnumerable<FakeConnection> Connections => _connections;

    public static ApiVersionsResponse DefaultApiVersions()
    {
        var response = new ApiVersionsResponse();
        void Add<T>() where T : class, IKafkaRequest<T> =>
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)T.ApiKey, MinVersion = T.LowestSupportedVersion, MaxVersion = T.HighestSupportedVersion });
        Add<ApiVersionsRequest>();
        Add<MetadataRequest>();
        Add<SaslHandshakeRequest>();
        Add<SaslAuthenticateRequest>();
        Add<ListOffsetsRequest>();
        Add<DescribeClusterRequest>();
        Add<FindCoordinatorRequest>();
        Add<EndTxnRequest>();
        Add<CreateTopicsRequest>();
        Add<DeleteTopicsRequest>();
        return response;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            var connection = new FakeConnection(this, socket);
            _connections.Add(connection);
            _ = Task.Run(() => connection.RunAsync(_stop.Token));
        }
    }

    internal async ValueTask HandleAsync(FakeRequest request)
    {
        _counts.AddOrUpdate(request.ApiKey, 1, (_, n) => n + 1);
        if (OnRequest is { } handler && await handler(request)) return;
        switch (request.ApiKey)
        {
            case ApiKey.ApiVersions:
                ApiVersionsVersionsSeen.Enqueue(request.Version);
                if (request.Version > MaxApiVersionsVersion)
                {
                    var unsupported = new ApiVersionsResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion };
                    unsupported.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = MaxApiVersionsVersion });
                    await request.RespondAtAsync(unsupported, 0);
                }
                else
                {
                    await request.RespondAsync(ApiVersions);
                }
                return;
            case ApiKey.Metadata:
                MetadataRequest metadataRequest = request.Read<MetadataRequest>();
                await request.RespondAsync(Metadata?.Invoke(metadataRequest) ?? SingleBrokerMetadata());
                return;
            case ApiKey.SaslHandshake:
            {
                var handshake = request.Read<SaslHandshakeRequest>();
                var reply = new SaslHandshakeResponse { Mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] };
                if (SaslUsers is null || !reply.Mechanisms.Contains(handshake.Mechanism))
                    reply.ErrorCode = (short)ErrorCode.UnsupportedSaslMechanism;
                else
                    request.Connection.Sasl = new FakeSaslServer(handshake.Mechanism, SaslUsers);
                await request.RespondAsync(reply);
                return;
            }
            case ApiKey.SaslAuthenticate:
            {
                var authenticate = request.Read<SaslAuthenticateRequest>();
                FakeSaslServer sasl = request.Connection.Sasl ?? throw new InvalidOperationException("SaslAuthenticate before SaslHandshake.");
                byte[]? token = sasl.Step(authenticate.AuthBytes.ToArray(), out string? error);
                var reply = token is null
                    ? new SaslAuthenticateResponse { ErrorCode = (short)ErrorCode.SaslAuthenticationFailed, ErrorMessage = error }
                    : new SaslAuthenticateResponse { AuthBytes = token, SessionLifetimeMs = sasl.Authenticated ? SessionLifetimeMs : 0 };
                if (token is not null && sasl.Authenticated) Interlocked.Increment(ref _authentications);
                await request.RespondAsync(reply);
                if (token is null) request.Connection.Close();
                return;
            }
            default:
                throw new InvalidOperationException($"The fake broker has no handler for {request.ApiKey}.");
        }
    }

    public MetadataResponse SingleBrokerMetadata()
    {
        var response = new MetadataResponse { ClusterId = "fake", ControllerId = NodeId };
        response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = NodeId, Host = "127.0.0.1", Port = Port });
        return response;
    }

    public void DropConnections()
    {
        foreach (FakeConnection connection in _connections) connection.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        DropConnections();
        await _acceptLoop;
    }
}

/// <summary>One client connection to a <see cref="FakeBroker"/>.</summary>
internal sealed class FakeConnection(FakeBroker broker, Socket socket)
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<FakeRequest> _requests = Channel.CreateUnbounded<FakeRequest>();
    private Stream _stream = new NetworkStream(socket, ownsSocket: true);
    private int _pipelined;

    public int MaxPipelined { get; private set; }

    /// <summary>SASL exchange in progress or done on this connection.</summary>
    public FakeSaslServer? Sasl { get; set; }

    public bool IsClosed { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (broker.Certificate is { } certificate)
            {
                var ssl = new SslStream(_stream, false);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken);
                _stream = ssl;
            }
            Task answering = Task.Run(() => AnswerLoopAsync(cancellationToken));
            byte[] sizeBuffer = new byte[4];
            while (true)
            {
                await _stream.ReadExactlyAsync(sizeBuffer, cancellationToken);
                int size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
                byte[] frame = new byte[size];
                await _stream.ReadExactlyAsync(frame, cancellationToken);
                MaxPipelined = Math.Max(MaxPipelined, Interlocked.Increment(ref _pipelined));
                await _requests.Writer.WriteAsync(FakeRequest.Parse(this, frame), cancellationToken);
            }
        }
        catch (Exception)
        {
            Close();
        }
    }

    private async Task AnswerLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (FakeRequest request in _requests.Reader.ReadAllAsync(cancellationToken))
            {
                await broker.HandleAsync(request);
            }
        }
        catch (Exception)
        {
            Close();
        }
    }

    /// <summary>Called before a response is written: the client may send the next request as soon as it reads it.</summary>
    public void MarkAnswered() => Interlocked.Decrement(ref _pipelined);

    public async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Close()
    {
        IsClosed = true;
        _requests.Writer.TryComplete();
        try
        {
            _stream.Dispose();
        }
        catch (Exception)
        {
            // Closing twice or mid-handshake is fine for a fake.
        }
    }
}

/// <summary>A request as the fake broker received it.</summary>
internal sealed class FakeRequest
{
    private FakeRequest(FakeConnection connection, ApiKey apiKey, short version, int correlationId, string? clientId, ReadOnlyMemory<byte> body)
    {
        Connection = connection;
        ApiKey = apiKey;
        Version = version;
        CorrelationId = correlationId;
        ClientId = clientId;
        Body = body;
    }

    public FakeConnection Connection { get; }

    public ApiKey ApiKey { get; }

    public short Version { get; }

    public int CorrelationId { get; }

    public string? ClientId { get; }

    public ReadOnlyMemory<byte> Body { get; }

    public static FakeRequest Parse(FakeConnection connection, byte[] frame)
    {
        var reader = new KafkaReader(frame.AsMemory());
        var apiKey = (ApiKey)reader.ReadInt16();
        short version = reader.ReadInt16();
        int correlationId = reader.ReadInt32();
        string? clientId = reader.ReadNullableString();
        if (RequestIsFlexible(apiKey, version))
        {
            uint tags = reader.ReadUnsignedVarInt();
            for (uint i = 0; i < tags; i++)
            {
                reader.ReadUnsignedVarInt();
                reader.Skip((int)reader.ReadUnsignedVarInt());
            }
        }
        return new FakeRequest(connection, apiKey, version, correlationId, clientId, frame.AsMemory(reader.Position));
    }

    private static bool RequestIsFlexible(ApiKey api, short version) => api switch
    {
        ApiKey.ApiVersions => ApiVersionsRequest.IsFlexible(version),
        ApiKey.Metadata => MetadataRequest.IsFlexible(version),
        ApiKey.SaslHandshake => SaslHandshakeRequest.IsFlexible(version),
        ApiKey.SaslAuthenticate => SaslAuthenticateRequest.IsFlexible(version),
        ApiKey.ListOffsets => ListOffsetsRequest.IsFlexible(version),
        ApiKey.DescribeCluster => DescribeClusterRequest.IsFlexible(version),
        ApiKey.FindCoordinator => FindCoordinatorRequest.IsFlexible(version),
        ApiKey.EndTxn => EndTxnRequest.IsFlexible(version),
        ApiKey.CreateTopics => CreateTopicsRequest.IsFlexible(version),
        ApiKey.DeleteTopics => DeleteTopicsRequest.IsFlexible(version),
        ApiKey.DescribeConfigs => DescribeConfigsRequest.IsFlexible(version),
        _ => throw new InvalidOperationException($"The fake broker does not parse {api} headers."),
    };

    public T Read<T>() where T : class, IKafkaMessage<T>
    {
        var reader = new KafkaReader(Body);
        return T.Read(ref reader, Version);
    }

    public ValueTask RespondAsync<T>(T response, int? correlationId = null) where T : class, IKafkaResponse<T> =>
        RespondAtAsync(response, Version, correlationId);

    public async ValueTask RespondAtAsync<T>(T response, short version, int? correlationId = null) where T : class, IKafkaResponse<T>
    {
        using var buffer = new PooledBufferWriter();
        int start = Framing.BeginFrame(buffer);
        var writer = new KafkaWriter(buffer);
        new ResponseHeader { CorrelationId = correlationId ?? CorrelationId }.Write(ref writer, T.ResponseHeaderVersion(version));
        response.Write(ref writer, version);
        writer.Flush();
        Framing.EndFrame(buffer, start);
        Connection.MarkAnswered();
        await Connection.WriteRawAsync(buffer.WrittenMemory.ToArray());
    }
}
