using System.Runtime.CompilerServices;
using KafkaNative.Client.Diagnostics;
using KafkaNative.Protocol;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Client;

/// <summary>
/// A broker as its users see it: it keeps one connection, opens it on first use and again after it
/// fails, with exponential backoff between attempts so a broker that is down is not hammered.
/// Obtained through <see cref="KafkaCluster"/> as a reference-counted <see cref="BrokerLease"/>;
/// the connection closes when the last lease is released.
/// </summary>
internal sealed class KafkaBroker
{
    private readonly KafkaClientOptions _options;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _lock = new();
    private BrokerConnection? _connection;
    private Task<BrokerConnection>? _connecting;

    internal KafkaBroker(int nodeId, BrokerEndpoint endpoint, KafkaClientOptions options, ReconnectBackoff backoff, bool forCoordination = false)
    {
        NodeId = nodeId;
        ForCoordination = forCoordination;
        Endpoint = endpoint;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<KafkaBroker>();
        _backoff = backoff;
    }

    /// <summary>The broker's node id; negative for a bootstrap server whose id is not known.</summary>
    public int NodeId { get; }

    /// <summary>The broker's address.</summary>
    public BrokerEndpoint Endpoint { get; }

    /// <summary>
    /// True for the separate connection that carries a group's coordinator traffic, as the Java client and
    /// librdkafka keep one: a broker handles a connection's requests one at a time, so heartbeats and
    /// commits must not queue behind long-polling fetches, nor fetches behind a JoinGroup that waits out a rebalance.
    /// </summary>
    public bool ForCoordination { get; }

    /// <summary>Number of leases held on this broker; managed by the pool under its lock.</summary>
    internal int References { get; set; }

    /// <summary>Requests awaiting a response on the open connection (0 without one).</summary>
    internal int AwaitingResponses => Volatile.Read(ref _connection) is { IsClosed: false } connection ? connection.AwaitingResponses : 0;

    /// <summary>
    /// The open connection, connecting first if there is none. Concurrent callers share one attempt.
    /// </summary>
    /// <exception cref="KafkaConnectionException">The broker is unreachable, or still in its reconnect backoff after a failure.</exception>
    /// <exception cref="KafkaTimeoutException">The connect timeout expired.</exception>
    /// <exception cref="KafkaAuthenticationException">TLS or SASL authentication failed.</exception>
    public ValueTask<BrokerConnection> GetConnectionAsync(CancellationToken cancellationToken = default)
    {
        BrokerConnection? connection = Volatile.Read(ref _connection);
        return connection is { IsClosed: false } ? new ValueTask<BrokerConnection>(connection) : ConnectAsync(cancellationToken);
    }

    /// <summary>Sends a request over the broker's connection; see <see cref="BrokerConnection.SendAsync{TRequest, TResponse}(TRequest, SendOptions, CancellationToken)"/>.</summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <typeparam name="TResponse">The response type that goes with it.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="cancellationToken">Cancels connecting or waiting.</param>
    public ValueTask<TResponse> SendAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse> =>
        SendAsync<TRequest, TResponse>(request, default, cancellationToken);

    /// <summary>Sends a request with per-request options over the broker's connection.</summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <typeparam name="TResponse">The response type that goes with it.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="options">Version cap and timeout overrides.</param>
    /// <param name="cancellationToken">Cancels connecting or waiting.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TResponse> SendAsync<TRequest, TResponse>(TRequest request, SendOptions options, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        BrokerConnection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.SendAsync<TRequest, TResponse>(request, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request and returns a zero-copy response in a lease; see <see cref="BrokerConnection.SendLeasedAsync{TRequest, TResponse}"/>.</summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <typeparam name="TResponse">The response type that goes with it.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="options">Version cap and timeout overrides.</param>
    /// <param name="cancellationToken">Cancels connecting or waiting.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ResponseLease<TResponse>> SendLeasedAsync<TRequest, TResponse>(TRequest request, SendOptions options = default, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        BrokerConnection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.SendLeasedAsync<TRequest, TResponse>(request, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request the broker does not answer (Produce with acks=0); see <see cref="BrokerConnection.SendWithoutResponseAsync{TRequest}"/>.</summary>
    /// <typeparam name="TRequest">The request type.</typeparam>
    /// <param name="request">The request; must not change until the send completes.</param>
    /// <param name="cancellationToken">Cancels connecting or waiting.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendWithoutResponseAsync<TRequest>(TRequest request, CancellationToken cancellationToken = default)
        where TRequest : class, IKafkaRequest<TRequest>
    {
        BrokerConnection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.SendWithoutResponseAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<BrokerConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        Task<BrokerConnection> connecting;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            if (_connection is { IsClosed: false } open) return open;
            if (_connecting is null)
            {
                if (!_backoff.TryStartAttempt(_options.TimeProvider.GetTimestamp(), out TimeSpan remaining, out Exception? last))
                {
                    throw new KafkaConnectionException(
                        $"Broker {NodeId} at {Endpoint} is unreachable; the next connection attempt is allowed in {remaining.TotalMilliseconds:0} ms. Last failure: {last!.Message}", last);
                }
                // Task.Run: the attempt must not complete inside this lock, which it also takes.
                _connecting = Task.Run(ConnectCoreAsync);
            }
            connecting = _connecting;
        }
        return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<BrokerConnection> ConnectCoreAsync()
    {
        BrokerConnection? previous;
        BrokerConnection connection;
        try
        {
            connection = await BrokerConnection.ConnectAsync(NodeId, Endpoint, _options, _disposed.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            TimeSpan next;
            lock (_lock)
            {
                _connecting = null;
                next = _backoff.OnFailure(exception);
            }
            Log.ConnectFailed(_logger, exception, NodeId, Endpoint, next);
            if (_disposed.IsCancellationRequested) throw new ObjectDisposedException(ToString());
            throw;
        }

        bool disposed;
        lock (_lock)
        {
            _connecting = null;
            disposed = _disposed.IsCancellationRequested;
            previous = _connection;
            if (!disposed)
            {
                _connection = connection;
                _backoff.OnSuccess();
            }
        }
        if (previous is not null) await previous.DisposeAsync().ConfigureAwait(false);
        if (disposed)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(ToString());
        }
        return connection;
    }

    /// <summary>Closes the connection; requests still pending fail with <see cref="ObjectDisposedException"/>.</summary>
    internal async ValueTask DisposeAsync()
    {
        BrokerConnection? connection;
        Task<BrokerConnection>? connecting;
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested) return;
            _disposed.Cancel();
            connection = _connection;
            connecting = _connecting;
            _connection = null;
        }
        if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        if (connecting is not null)
        {
            try
            {
                await connecting.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The attempt was cancelled by the disposal; its failure is expected.
            }
        }
    }

    /// <summary>Describes the broker.</summary>
    public override string ToString() => $"KafkaBroker({NodeId} at {Endpoint}{(ForCoordination ? ", coordination" : "")})";
}
