using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.TestSupport;

/// <summary>
/// A tiny Kafka broker for tests: it frames and decodes requests with the generated types and
/// answers ApiVersions and Metadata by default; <see cref="OnRequest"/> overrides anything, including
/// sending garbage. Each connection reads requests on one task and answers them in order on another,
/// so tests can see how many requests a client pipelines. With <c>recordFrames</c> it also keeps every request
/// and response frame, for golden-bytes tests and fuzz seeds.
/// </summary>
public sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<FakeConnection> _connections = new();
    private readonly ConcurrentDictionary<ApiKey, int> _counts = new();

    public FakeBroker(int nodeId = 1, X509Certificate2? certificate = null, bool recordFrames = false)
    {
        NodeId = nodeId;
        Certificate = certificate;
        RecordsFrames = recordFrames;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        ApiVersions = DefaultApiVersions();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int NodeId { get; }

    public int Port { get; }

    public X509Certificate2? Certificate { get; }

    public string Host => "127.0.0.1";

    public string Bootstrap => $"{Host}:{Port}";

    /// <summary>Whether every request and response frame is kept in <see cref="Requests"/> and <see cref="Responses"/>.</summary>
    public bool RecordsFrames { get; }

    /// <summary>Every request received, in arrival order, when recording.</summary>
    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    /// <summary>Every response sent, at the version it was written, when recording.</summary>
    public ConcurrentQueue<CapturedResponse> Responses { get; } = new();

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

    internal void Record(FakeRequest request)
    {
        if (RecordsFrames) Requests.Enqueue(new CapturedRequest(request.ApiKey, request.Version, request.Header, request.Frame, request.BodyOffset));
    }

    internal void Record(CapturedResponse response)
    {
        if (RecordsFrames) Responses.Enqueue(response);
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
        response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = NodeId, Host = Host, Port = Port });
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
