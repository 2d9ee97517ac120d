using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Threading.Channels;
using KafkaNative.Client.Diagnostics;
using KafkaNative.Client.Security;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Client;

/// <summary>
/// One TCP (optionally TLS) connection to one broker, set up with API version negotiation and SASL
/// authentication. Requests are pipelined: up to <see cref="KafkaClientOptions.MaxInFlightPerConnection"/>
/// await responses at once (further senders wait), a single writer frames them and a single reader
/// matches responses by correlation id. A connection never reconnects: when it fails every pending
/// request fails and <see cref="Closed"/> completes; <see cref="KafkaBroker"/> opens the next one.
/// </summary>
/// <remarks>
/// Request objects are encoded by the writer after <c>SendAsync</c> returns control, so they must not
/// be changed until the send completes.
/// </remarks>
internal sealed class BrokerConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<PendingRequest> _requests;
    private readonly Queue<PendingRequest> _awaiting;
    private readonly int _maxAwaiting;
    private readonly SemaphoreSlim _slots;
    private readonly PendingRequestPool _pool;
    private readonly RequestWriteLoop _writeLoop;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly KafkaClientOptions _options;
    private readonly ILogger _logger;
    private readonly Task[] _loops;
    private Task _reauthentication = Task.CompletedTask;
    private BrokerApiVersions? _versions;
    private Exception? _closeReason;
    private bool _established;

    private BrokerConnection(int nodeId, BrokerEndpoint endpoint, Stream stream, KafkaClientOptions options)
    {
        NodeId = nodeId;
        Endpoint = endpoint;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<BrokerConnection>();
        _stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        // Produce requests run to megabytes: large segments keep a frame to a few pooled arrays.
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 128 * 1024, leaveOpen: true));
        int inFlight = options.MaxInFlightPerConnection;
        _slots = new SemaphoreSlim(inFlight, inFlight);
        _pool = new PendingRequestPool(inFlight * 2);
        // Cancelled requests give their slot back before their response arrives; this caps how many
        // such abandoned requests may pile up before the broker is deemed unresponsive.
        _maxAwaiting = inFlight * 4;
        _awaiting = new Queue<PendingRequest>(inFlight);
        _requests = Channel.CreateBounded<PendingRequest>(new BoundedChannelOptions(inFlight)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        _writeLoop = new RequestWriteLoop(this, _requests.Reader, _output, options.ClientId);
        var readLoop = new ResponseReadLoop(this, _input, options.MaxResponseSize);
        TimeSpan tick = TimeSpan.FromTicks(Math.Clamp(options.RequestTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        var timeoutLoop = new RequestTimeoutLoop(this, tick, options.TimeProvider);
        CancellationToken token = _shutdown.Token;
        _loops =
        [
            Task.Run(() => _writeLoop.RunAsync(token)),
            Task.Run(() => readLoop.RunAsync(token)),
            Task.Run(() => timeoutLoop.RunAsync(token)),
        ];
    }

    /// <summary>The broker's node id (negative for bootstrap connections, whose id is not known yet).</summary>
    public int NodeId { get; }

    /// <summary>The address connected to.</summary>
    public BrokerEndpoint Endpoint { get; }

    /// <summary>The broker's API versions, negotiated when the connection was set up.</summary>
    public BrokerApiVersions Versions => _versions ?? throw new InvalidOperationException("API versions are not negotiated yet.");

    /// <summary>True once the connection failed or was disposed; every later send fails.</summary>
    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    /// <summary>Completes when the connection closes, for whatever reason.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why the connection closed, or null while it is open.</summary>
    public Exception? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>
    /// Connects, negotiates API versions and authenticates, all within
    /// <see cref="KafkaClientOptions.ConnectTimeout"/>.
    /// </summary>
    /// <param name="nodeId">The broker's node id, or a negative number for a bootstrap server.</param>
    /// <param name="endpoint">Where to connect.</param>
    /// <param name="options">Validated client options.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="KafkaTimeoutException">The connect timeout expired.</exception>
    /// <exception cref="KafkaConnectionException">The broker could not be reached or closed the connection.</exception>
    /// <exception cref="KafkaAuthenticationException">TLS or SASL authentication failed.</exception>
    /// <exception cref="KafkaProtocolException">The broker sent something that is not Kafka.</exception>
    public static async Task<BrokerConnection> ConnectAsync(int nodeId, BrokerEndpoint endpoint, KafkaClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ILogger logger = options.LoggerFactory.CreateLogger<BrokerConnection>();
        Log.Connecting(logger, nodeId, endpoint);
        using var deadline = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        Stream? stream = null;
        BrokerConnection? connection = null;
        ServerCertificateValidator? validator = null;
        try
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                validator = new ServerCertificateValidator(tls);
                await ssl.AuthenticateAsClientAsync(validator.CreateOptions(endpoint.Host), timeout.Token).ConfigureAwait(false);
            }

            connection = new BrokerConnection(nodeId, endpoint, stream, options);
            await connection.NegotiateVersionsAsync(timeout.Token).ConfigureAwait(false);
            if (options.Sasl is { } sasl)
            {
                TimeSpan lifetime = await SaslAuthenticator.AuthenticateAsync(connection, sasl, direct: false, timeout.Token).ConfigureAwait(false);
                Log.Authenticated(logger, nodeId, sasl.MechanismName, lifetime);
                connection.ScheduleReauthentication(sasl, lifetime);
            }
            KafkaTelemetry.ConnectionAttempts.Add(1, new KeyValuePair<string, object?>("outcome", "success"));
            connection.MarkEstablished();
            Log.Connected(logger, nodeId, endpoint, options.Tls is not null, options.Sasl?.MechanismName ?? "none");
            return connection;
        }
        catch (Exception exception)
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            else if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            KafkaTelemetry.ConnectionAttempts.Add(1, new KeyValuePair<string, object?>("outcome", "failure"));
            Exception mapped = MapConnectFailure(exception, nodeId, endpoint, options, validator, timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested);
            if (ReferenceEquals(mapped, exception)) throw;
            throw mapped;
        }
    }

    private void MarkEstablished()
    {
        lock (_awaiting)
        {
            if (_closeReason is not null) return;
            _established = true;
        }
        KafkaTelemetry.OpenConnections.Add(1);
    }

    private static Exception MapConnectFailure(Exception exception, int nodeId, BrokerEndpoint endpoint, KafkaClientOptions options, ServerCertificateValidator? validator, bool timedOut)
    {
        string broker = $"broker {nodeId} at {endpoint}";
        if (timedOut && exception is OperationCanceledException or KafkaConnectionException)
            return new KafkaTimeoutException($"Connecting to {broker} did not finish within the connect timeout of {options.ConnectTimeout.TotalMilliseconds:0} ms.", exception);
        return exception switch
        {
            AuthenticationException when validator?.Failure is { } failure =>
                new KafkaAuthenticationException($"TLS handshake with {broker} failed: {failure}", exception),
            AuthenticationException => new KafkaAuthenticationException($"TLS handshake with {broker} failed: {exception.Message}", exception),
            SocketException or IOException or ObjectDisposedException =>
                new KafkaConnectionException($"Could not connect to {broker}: {exception.Message}", exception),
            _ => exception,
        };
    }

    /// <summary>Sends <paramref name="request"/> at the highest version both sides support and returns the decoded response.</summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <typeparam name="TResponse">The response type that goes with it.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="cancellationToken">
    /// Cancels waiting: the in-flight slot is released at once and a response that arrives later is discarded.
    /// </param>
    /// <exception cref="KafkaTimeoutException">No response within the request timeout (the connection closes).</exception>
    /// <exception cref="KafkaConnectionException">The connection closed before the response arrived.</exception>
    /// <exception cref="KafkaProtocolException">The response is malformed (the connection closes).</exception>
    /// <exception cref="UnsupportedVersionException">The broker supports no version this client sends.</exception>
    /// <exception cref="ObjectDisposedException">The connection was disposed.</exception>
    public ValueTask<TResponse> SendAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse> =>
        SendAsync<TRequest, TResponse>(request, default, cancellationToken);

    /// <summary>As <see cref="SendAsync{TRequest, TResponse}(TRequest, CancellationToken)"/>, with a version cap or timeout for this request.</summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <typeparam name="TResponse">The response type that goes with it.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="options">Version cap and timeout overrides.</param>
    /// <param name="cancellationToken">Cancels waiting; see the other overload.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TResponse> SendAsync<TRequest, TResponse>(TRequest request, SendOptions options, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        short version = Versions.Negotiate<TRequest>(options.MaxVersion);
        ResponseFrame frame = await ExchangeAsync<TRequest>(request, version, options.Timeout, direct: false, cancellationToken).ConfigureAwait(false);
        try
        {
            // Span-based decoding copies byte fields, so the frame can go back to the pool at once.
            var reader = new KafkaReader(frame.Span);
            return Decode<TResponse>(ref reader, version);
        }
        finally
        {
            frame.Return();
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the response decoded without copying: its byte and
    /// record fields are slices of a pooled buffer owned by the returned lease. Use it for responses
    /// carrying record batches (Fetch); dispose the lease when done with them.
    /// </summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <typeparam name="TResponse">The response type that goes with it.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="options">Version cap and timeout overrides.</param>
    /// <param name="cancellationToken">Cancels waiting; see <see cref="SendAsync{TRequest, TResponse}(TRequest, CancellationToken)"/>.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ResponseLease<TResponse>> SendLeasedAsync<TRequest, TResponse>(TRequest request, SendOptions options = default, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        short version = Versions.Negotiate<TRequest>(options.MaxVersion);
        ResponseFrame frame = await ExchangeAsync<TRequest>(request, version, options.Timeout, direct: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var reader = new KafkaReader(frame.Memory);
            return new ResponseLease<TResponse>(Decode<TResponse>(ref reader, version), version, frame.Buffer);
        }
        catch
        {
            frame.Return();
            throw;
        }
    }

    /// <summary>
    /// Sends a request the broker does not answer (Produce with acks=0): completes once the request is
    /// written to the connection, and says nothing about what the broker did with it.
    /// </summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="cancellationToken">Cancels waiting for a slot or for the write.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendWithoutResponseAsync<TRequest>(TRequest request, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest>
    {
        ArgumentNullException.ThrowIfNull(request);
        short version = Versions.Negotiate<TRequest>(null);
        await ExchangeAsync(request, version, null, direct: false, cancellationToken, expectsResponse: false).ConfigureAwait(false);
    }

    /// <summary>Sends at an explicit version; for connection setup and SASL, which run before or outside negotiation.</summary>
    internal async ValueTask<TResponse> SendAtVersionAsync<TRequest, TResponse>(TRequest request, short version, bool direct, CancellationToken cancellationToken)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        ResponseFrame frame = await ExchangeAsync<TRequest>(request, version, null, direct, cancellationToken).ConfigureAwait(false);
        try
        {
            var reader = new KafkaReader(frame.Span);
            return Decode<TResponse>(ref reader, version);
        }
        finally
        {
            frame.Return();
        }
    }

    private TResponse Decode<TResponse>(ref KafkaReader reader, short version) where TResponse : class, IKafkaResponse<TResponse>
    {
        try
        {
            return DecodeBody<TResponse>(ref reader, version);
        }
        catch (KafkaProtocolException exception)
        {
            // A frame that does not decode means the two sides disagree about the stream; nothing after it can be trusted.
            Fault(exception);
            throw;
        }
    }

    private static TResponse DecodeBody<TResponse>(ref KafkaReader reader, short version) where TResponse : class, IKafkaResponse<TResponse>
    {
        reader.ReadInt32("correlation_id");
        if (TResponse.ResponseHeaderVersion(version) >= 1) SkipTaggedFields(ref reader);
        TResponse response = TResponse.Read(ref reader, version);
        reader.EnsureEnd($"{TResponse.ApiKey} response v{version}");
        return response;
    }

    private static void SkipTaggedFields(ref KafkaReader reader)
    {
        uint count = reader.ReadUnsignedVarInt("header tagged field count");
        for (uint i = 0; i < count; i++)
        {
            reader.ReadUnsignedVarInt("header tag");
            uint size = reader.ReadUnsignedVarInt("header tagged field size");
            if (size > (uint)reader.Remaining) throw reader.Error($"Tagged field size {size} exceeds the {reader.Remaining} bytes that remain", "header tagged field size");
            reader.Skip((int)size, "header tagged field");
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ResponseFrame> ExchangeAsync<TRequest>(TRequest request, short version, TimeSpan? timeout, bool direct, CancellationToken cancellationToken, bool expectsResponse = true)
        where TRequest : class, IKafkaRequest<TRequest>
    {
        ThrowIfClosed();
        long started = _options.TimeProvider.GetTimestamp();
        string api = KafkaTelemetry.ApiName(TRequest.ApiKey);
        using Activity? activity = KafkaTelemetry.ActivitySource.StartActivity(api, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("kafka.api", api);
            activity.SetTag("kafka.api.version", version);
            activity.SetTag("kafka.broker.id", NodeId);
        }

        // Direct sends (re-authentication) run while the writer is paused and may not wait for a slot
        // that only a paused request could free.
        if (!direct) await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        PendingRequest pending = _pool.Rent();
        pending.Initialize(request, TRequest.ApiKey, version, TRequest.RequestHeaderVersion(version), timeout ?? _options.RequestTimeout, _options.TimeProvider, cancellationToken, expectsResponse);
        CancellationTokenRegistration registration = default;
        try
        {
            try
            {
                // A direct write never throws: a failure closes the connection, which fails the request.
                if (direct) await _writeLoop.WriteDirectAsync(pending).ConfigureAwait(false);
                else if (!_requests.Writer.TryWrite(pending)) await _requests.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Never queued, so the connection side will not release it.
                pending.Release();
                if (exception is ChannelClosedException) ThrowIfClosed();
                throw;
            }
            if (cancellationToken.CanBeCanceled)
                registration = cancellationToken.UnsafeRegister(static state => ((PendingRequest)state!).Cancel(), pending);
            return await pending.AsValueTask().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            KafkaTelemetry.Errors.Add(1, new KeyValuePair<string, object?>("error.type", exception.GetType().Name));
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            throw;
        }
        finally
        {
            registration.Dispose();
            pending.Release();
            if (!direct) _slots.Release();
            KafkaTelemetry.RequestDuration.Record(_options.TimeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("kafka.api", api));
        }
    }

    private async Task NegotiateVersionsAsync(CancellationToken cancellationToken)
    {
        short version = ClientApiVersions.Highest<ApiVersionsRequest>();
        for (int attempt = 0; ; attempt++)
        {
            var request = new ApiVersionsRequest { ClientSoftwareName = "kafkanative", ClientSoftwareVersion = ClientSoftwareVersion };
            ResponseFrame frame = await ExchangeAsync(request, version, null, direct: false, cancellationToken).ConfigureAwait(false);
            ApiVersionsResponse response;
            try
            {
                response = DecodeApiVersions(frame.Span, version);
            }
            catch (KafkaProtocolException exception)
            {
                Fault(exception);
                throw;
            }
            finally
            {
                frame.Return();
            }

            if (response.ErrorCode == (short)ErrorCode.UnsupportedVersion && attempt == 0)
            {
                // KIP-511: the broker names the ApiVersions range it supports; retry at its highest.
                short fallback = 0;
                foreach (ApiVersionsResponse.ApiVersion api in response.ApiKeys)
                    if (api.ApiKey == (short)ApiKey.ApiVersions) fallback = Math.Min(api.MaxVersion, (short)(version - 1));
                Log.ApiVersionsFallback(_logger, NodeId, version, fallback);
                version = Math.Max(fallback, (short)0);
                continue;
            }
            KafkaErrorException.ThrowIfError(response.ErrorCode, $"ApiVersions v{version} to broker {NodeId} at {Endpoint}");
            _versions = new BrokerApiVersions(response);
            Log.VersionsNegotiated(_logger, NodeId, _versions.Count, version);
            return;
        }
    }

    private static readonly string ClientSoftwareVersion =
        typeof(BrokerConnection).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// Decodes an ApiVersions response. A broker that does not support the requested version answers
    /// at version 0 (KIP-511), so a response that does not parse at the requested version is read again as v0.
    /// </summary>
    internal static ApiVersionsResponse DecodeApiVersions(ReadOnlySpan<byte> frame, short version)
    {
        try
        {
            var reader = new KafkaReader(frame);
            return DecodeBody<ApiVersionsResponse>(ref reader, version);
        }
        catch (KafkaProtocolException) when (version != 0)
        {
            var reader = new KafkaReader(frame);
            return DecodeBody<ApiVersionsResponse>(ref reader, 0);
        }
    }

    private void ScheduleReauthentication(KafkaSaslOptions sasl, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero) return;
        var loop = new ReauthenticationLoop(this, sasl, lifetime, _options.TimeProvider, _logger);
        CancellationToken token = _shutdown.Token;
        _reauthentication = Task.Run(() => loop.RunAsync(token));
    }

    /// <summary>Re-runs SASL on this connection with every other request held back (KIP-368).</summary>
    internal async Task<TimeSpan> ReauthenticateAsync(KafkaSaslOptions sasl, CancellationToken cancellationToken)
    {
        await _writeLoop.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SaslAuthenticator.AuthenticateAsync(this, sasl, direct: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLoop.Gate.Release();
        }
    }

    internal bool TryAddAwaiting(PendingRequest pending)
    {
        lock (_awaiting)
        {
            if (_closeReason is null && _awaiting.Count < _maxAwaiting)
            {
                _awaiting.Enqueue(pending);
                return true;
            }
        }
        Exception reason = CloseReason ?? new KafkaTimeoutException(
            $"Broker {NodeId} at {Endpoint} has not answered {_maxAwaiting} requests, cancelled ones included; closing the connection.");
        Fault(reason);
        pending.TryFail(FailureFor(reason));
        pending.Release();
        return false;
    }

    /// <summary>Removes the oldest request awaiting a response, which must carry <paramref name="correlationId"/>: brokers answer in order.</summary>
    internal PendingRequest TakeAwaiting(int correlationId)
    {
        lock (_awaiting)
        {
            if (!_awaiting.TryPeek(out PendingRequest? oldest))
                throw new KafkaProtocolException($"Broker {NodeId} at {Endpoint} sent a response (correlation id {correlationId}) with no request awaiting one", "correlation_id", 0);
            if (oldest.CorrelationId != correlationId)
                throw new KafkaProtocolException($"Broker {NodeId} at {Endpoint} sent correlation id {correlationId}, but the oldest request awaiting a response has {oldest.CorrelationId}", "correlation_id", 0);
            return _awaiting.Dequeue();
        }
    }

    internal void CheckDeadlines(long now)
    {
        PendingRequest? expired = null;
        lock (_awaiting)
        {
            foreach (PendingRequest pending in _awaiting)
            {
                if (pending.Deadline <= now)
                {
                    expired = pending;
                    break;
                }
            }
        }
        if (expired is null) return;

        string api = KafkaTelemetry.ApiName(expired.ApiKey);
        TimeSpan timeout = expired.Timeout;
        Log.RequestTimedOut(_logger, NodeId, api, timeout);
        // Fail it with the timeout before the connection fails everything else with the close reason.
        expired.TryFail(new KafkaTimeoutException($"{api} request to broker {NodeId} at {Endpoint} got no response within the request timeout of {timeout.TotalMilliseconds:0} ms."));
        Fault(new KafkaConnectionException($"Connection to broker {NodeId} at {Endpoint} closed: a {api} request timed out after {timeout.TotalMilliseconds:0} ms."));
    }

    /// <summary>Closes the connection for <paramref name="reason"/> and fails every pending request. Only the first call has an effect.</summary>
    internal void Fault(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null) return;
        _requests.Writer.TryComplete();
        PendingRequest[] awaiting;
        bool established;
        lock (_awaiting)
        {
            awaiting = _awaiting.ToArray();
            _awaiting.Clear();
            established = _established;
        }
        Exception failure = FailureFor(reason);
        foreach (PendingRequest pending in awaiting)
        {
            pending.TryFail(failure);
            pending.Release();
        }
        while (_requests.Reader.TryRead(out PendingRequest? queued))
        {
            queued.TryFail(failure);
            queued.Release();
        }
        _shutdown.Cancel();
        // Disposing the stream unblocks a read or flush that is waiting on the network.
        _stream.Dispose();
        if (established)
        {
            KafkaTelemetry.OpenConnections.Add(-1);
            Log.ConnectionClosed(_logger, reason is ObjectDisposedException ? null : reason, NodeId, Endpoint);
        }
        _closed.TrySetResult();
    }

    private Exception FailureFor(Exception reason) => reason switch
    {
        KafkaException or ObjectDisposedException => reason,
        _ => new KafkaConnectionException($"Connection to broker {NodeId} at {Endpoint} closed: {reason.Message}", reason),
    };

    private void ThrowIfClosed()
    {
        Exception? reason = CloseReason;
        if (reason is null) return;
        if (reason is ObjectDisposedException) throw new ObjectDisposedException(ToString(), reason.Message);
        throw new KafkaConnectionException($"Connection to broker {NodeId} at {Endpoint} is closed: {reason.Message}", reason);
    }

    /// <summary>Closes the connection; every request still pending fails with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Fault(new ObjectDisposedException(ToString(), $"The connection to broker {NodeId} at {Endpoint} was disposed while the request was pending."));
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
            await _reauthentication.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        await _input.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ObjectDisposedException or IOException)
        {
            // Unflushed bytes of a dead connection have nowhere to go.
        }
        _shutdown.Dispose();
    }

    /// <summary>Describes the connection (broker id and address).</summary>
    public override string ToString() => $"BrokerConnection(broker {NodeId} at {Endpoint})";
}
