using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client;

/// <summary>
/// A group's or transactional id's coordinator broker: found with FindCoordinator, leased on a connection of its own, and forgotten
/// when it answers NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE or its connection fails, so the next request finds it again.
/// </summary>
internal sealed class CoordinatorBroker(KafkaCluster cluster, string key, CoordinatorType type = CoordinatorType.Group) : IDisposable
{
    private readonly Lock _lock = new();
    private BrokerLease? _lease;

    public static bool IsCoordinatorError(ErrorCode error) =>
        error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress;

    /// <summary>Sends a request to the coordinator; forgets the coordinator when it fails or answers a coordinator error.</summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, Func<TResponse, ErrorCode> error, SendOptions options, CancellationToken cancellationToken)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        BrokerLease lease = await GetAsync(cancellationToken).ConfigureAwait(false);
        TResponse response;
        try
        {
            response = await lease.Broker.SendAsync<TRequest, TResponse>(request, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is KafkaConnectionException or KafkaTimeoutException or ObjectDisposedException)
        {
            Invalidate(lease);
            throw;
        }
        if (IsCoordinatorError(error(response))) Invalidate(lease);
        return response;
    }

    /// <summary>
    /// Sends a request whose fields differ by version: <paramref name="build"/> gets the version
    /// negotiated with the coordinator's connection, and the request goes out at that version on it.
    /// </summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(Func<short, TRequest> build, Func<TResponse, ErrorCode> error, CancellationToken cancellationToken, short? maxVersion = null)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        BrokerLease lease = await GetAsync(cancellationToken).ConfigureAwait(false);
        TResponse response;
        try
        {
            BrokerConnection connection = await lease.Broker.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            short version = connection.Versions.Negotiate<TRequest>(maxVersion);
            response = await connection.SendAsync<TRequest, TResponse>(build(version), new SendOptions(MaxVersion: version), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is KafkaConnectionException or KafkaTimeoutException or ObjectDisposedException)
        {
            Invalidate(lease);
            throw;
        }
        if (IsCoordinatorError(error(response))) Invalidate(lease);
        return response;
    }

    /// <summary>Forgets the coordinator if it is still <paramref name="lease"/> (or any, when null).</summary>
    public void Invalidate(BrokerLease? lease = null)
    {
        BrokerLease? old;
        lock (_lock)
        {
            if (lease is not null && _lease != lease) return;
            old = _lease;
            _lease = null;
        }
        old?.Dispose();
    }

    private async Task<BrokerLease> GetAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_lease is not null) return _lease;
        }
        var request = new FindCoordinatorRequest { Key = key, KeyType = (sbyte)type };
        ClusterMetadata metadata = await cluster.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        Exception? last = null;
        foreach (int nodeId in metadata.Brokers.Keys.Order())
        {
            FindCoordinatorResponse response;
            try
            {
                using BrokerLease any = await cluster.AcquireBrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
                response = await any.Broker.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(request, new SendOptions(MaxVersion: 3), cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaErrorException exception) when (exception.IsRetriable)
            {
                last = exception;
                continue;
            }
            KafkaErrorException.ThrowIfError(response.ErrorCode, $"FindCoordinator for {Describe()}", response.ErrorMessage);
            BrokerLease lease = await cluster.AcquireCoordinatorAsync(response.NodeId, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                if (_lease is null)
                {
                    _lease = lease;
                    return lease;
                }
            }
            lease.Dispose();
            lock (_lock) return _lease ?? throw new KafkaConnectionException($"The coordinator of {Describe()} was forgotten while it was being found.");
        }
        await cluster.RefreshMetadataAsync(cancellationToken).ConfigureAwait(false);
        throw new KafkaConnectionException($"No broker answered FindCoordinator for {Describe()}.", last);
    }

    public void Dispose() => Invalidate();

    private string Describe() => type == CoordinatorType.Group ? $"group {key}" : $"transactional id {key}";
}

/// <summary>What a coordinator coordinates: FindCoordinator's key type.</summary>
internal enum CoordinatorType : sbyte
{
    Group = 0,
    Transaction = 1,
}
