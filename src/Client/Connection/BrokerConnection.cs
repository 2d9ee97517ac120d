using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using KafkaNative.Client.Diagnostics;
using KafkaNative.Client.Security;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Primitives;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Client;

/// <summary>
/// One connection to one broker, over the transport of <see cref="KafkaClientOptions.Transport"/> (TCP,
/// optionally TLS, by default), set up with API version negotiation and SASL authentication. Requests
/// are pipelined: up to <see cref="KafkaClientOptions.MaxInFlightPerConnection"/> await responses at
/// once (further senders wait), a single writer frames them and a single reader matches responses by
/// correlation id. A connection never reconnects: when it fails every pending request fails and
/// <see cref="Closed"/> completes; <see cref="KafkaBroker"/> opens the next one.
/// </summary>
/// <remarks>
/// Request objects are encoded by the writer after <c>SendAsync</c> returns control, so they must not
/// be changed until the send completes.
/// </remarks>
internal sealed class BrokerConnection : IAsyncDisposable
{
    private const int Opening = 0;
    private const int Established = 1;
    private const int Closing = 2;

    private readonly IKafkaTransportConnection _transport;
    private readonly Channel<PendingRequest> _requests;
    private readonly InFlightRequests _inFlight;
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
    private int _state;

    internal BrokerConnection(int nodeId, BrokerEndpoint endpoint, IKafkaTransportConnection transport, KafkaClientOptions options)
    {
        NodeId = nodeId;
        Endpoint = endpoint;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<BrokerConnection>();
        _transport = transport;
        int inFlight = options.MaxInFlightPerConnection;
        _slots = new SemaphoreSlim(inFlight, inFlight);
        _pool = new PendingRequestPool(inFlight * 2);
        _inFlight = new InFlightRequests($"Broker {nodeId} at {endpoint}", inFlight * 4);
        _requests = Channel.CreateBounded<PendingRequest>(new BoundedChannelOptions(inFlight)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        _writeLoop = new RequestWriteLoop(this, _requests.Reader, transport.Output, options.ClientId);
        var readLoop = new ResponseReadLoop(this, _inFlight, transport.Input, options.MaxResponseSize);
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
    public BrokerApiVersions Versions
    {
        get => _versions ?? throw new InvalidOperationException("API versions are not negotiated yet.");
        internal set => _versions = value;
    }

    /// <summary>True once the connection failed or was disposed; every later send fails.</summary>
    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    /// <summary>Requests written and not yet answered: a broker handles them one at a time, so a new request waits behind them.</summary>
    internal int AwaitingResponses => _inFlight.Count;

    /// <summary>Completes when the connection closes, for whatever reason.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why the connection closed, or null while it is open.</summary>
    public Exception? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>
    /// Connects through <see cref="KafkaClientOptions.Transport"/>, negotiates API versions and
    /// authenticates, all within <see cref="KafkaClientOptions.ConnectTimeout"/>.
    /// </summary>
    /// <param name="nodeId">The broker's node id, or a negative number for a bootstrap server.</param>
    /// <param name="endpoint">Where to connect.</param>
    /// <param name="options">Validated client options.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <exception cref="KafkaTimeoutException">The connect timeout expired.</exception>
    /// <exception cref="KafkaConnectionException">The broker could not be reached or closed the connection.</exception>
    /// <exception cref="KafkaAuthenticationException">TLS or SASL authentication failed.</exception>
    /// <exception cref="KafkaProtocolException">The broker sent something that is not Kafka.</exception>
    public static Task<BrokerConnection> ConnectAsync(int nodeId, BrokerEndpoint endpoint, KafkaClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return BrokerConnector.ConnectAsync(nodeId, endpoint, options, cancellationToken);
    }

    internal void MarkEstablished()
    {
        if (Interlocked.CompareExchange(ref _state, Established, Opening) == Opening) KafkaTelemetry.OpenConnections.Add(1);
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
            return ResponseDecoder.Decode<TResponse>(ref reader, version);
        }
        catch (KafkaProtocolException exception)
        {
            // A frame that does not decode means the two sides disagree about the stream; nothing after it can be trusted.
            Fault(exception);
            throw;
        }
    }

    /// <summary>Queues (or, for <paramref name="direct"/>, writes) a request and waits for its response frame.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<ResponseFrame> ExchangeAsync<TRequest>(TRequest request, short version, TimeSpan? timeout, bool direct, CancellationToken cancellationToken, bool expectsResponse = true)
        where TRequest : class, IKafkaRequest<TRequest>
    {
        ThrowIfClosed();
        long started = _options.TimeProvider.GetTimestamp();
        string api = KafkaTelemetry.ApiName(TRequest.ApiKey);
        using Activity? activity = KafkaTelemetry.ProtocolActivitySource.StartActivity(api, ActivityKind.Client);
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
        catch (Exception exception) when (exception is not (OperationCanceledException or ObjectDisposedException))
        {
            // A cancelled wait (a long poll the consumer no longer needs) or a connection closed by disposal is a normal stop, not an error.
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

    internal void ScheduleReauthentication(KafkaSaslOptions sasl, TimeSpan lifetime)
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
        if (_inFlight.TryAdd(pending)) return true;
        Exception reason = CloseReason ?? new KafkaTimeoutException(
            $"Broker {NodeId} at {Endpoint} has not answered {_inFlight.Capacity} requests, cancelled ones included; closing the connection.");
        Fault(reason);
        pending.TryFail(FailureFor(reason));
        pending.Release();
        return false;
    }

    internal void CheckDeadlines(long now)
    {
        PendingRequest? expired = _inFlight.FindExpired(now);
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
        PendingRequest[] awaiting = _inFlight.Close();
        bool established = Interlocked.Exchange(ref _state, Closing) == Established;
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
        // Unblocks a read or flush that is waiting on the network, and tells the broker.
        _transport.Abort();
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
        await _transport.Input.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ObjectDisposedException or IOException)
        {
            // Unflushed bytes of a dead connection have nowhere to go.
        }
        await _transport.DisposeAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }

    /// <summary>Describes the connection (broker id and address).</summary>
    public override string ToString() => $"BrokerConnection(broker {NodeId} at {Endpoint})";
}
