using KafkaNative.Client;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol;

namespace KafkaNative.Admin;

/// <summary>
/// Manages topics, configurations and groups, and looks up or trims partition offsets. Every method
/// is asynchronous and cancellable; broker errors surface as <see cref="KafkaErrorException"/>
/// carrying the <see cref="ErrorCode"/> (check <see cref="KafkaErrorException.IsRetriable"/>).
/// When several items fail, the exception's code is the first failure's and its message lists them all.
/// </summary>
/// <remarks>
/// The admin client keeps a lease on each broker it talked to, so repeated calls reuse connections;
/// disposing it releases them (and the cluster client, when it created that).
/// </remarks>
public sealed partial class KafkaAdminClient : IAsyncDisposable
{
    // Leader-routed operations retry partitions whose leader moved this many times, refreshing metadata in between.
    private const int MaxAttempts = 3;

    // DescribeConfigs' ConfigSource for a value no one set (Kafka's DEFAULT_CONFIG).
    private const sbyte DefaultConfigSource = 5;

    private readonly KafkaCluster _cluster;
    private readonly bool _ownsCluster;
    private readonly Dictionary<int, BrokerLease> _leases = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Creates an admin client with its own cluster client.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public KafkaAdminClient(KafkaClientOptions options)
        : this(new KafkaCluster(options), ownsCluster: true)
    {
    }

    /// <summary>Creates an admin client over a cluster client shared with others; disposing the admin client leaves it open.</summary>
    internal KafkaAdminClient(KafkaCluster cluster)
        : this(cluster ?? throw new ArgumentNullException(nameof(cluster)), ownsCluster: false)
    {
    }

    private KafkaAdminClient(KafkaCluster cluster, bool ownsCluster)
    {
        _cluster = cluster;
        _ownsCluster = ownsCluster;
    }

    /// <summary>The cluster client this admin client uses.</summary>
    internal KafkaCluster Cluster => _cluster;

    private TimeSpan BrokerTimeout => _cluster.Options.RequestTimeout / 2;

    private async ValueTask<KafkaBroker> ControllerAsync(CancellationToken cancellationToken)
    {
        ClusterMetadata metadata = await _cluster.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        // KRaft brokers forward controller requests, so any broker will do when the controller is not listed.
        int nodeId = metadata.Brokers.ContainsKey(metadata.ControllerId) ? metadata.ControllerId : metadata.Brokers.Keys.Min();
        return await BrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<KafkaBroker> BrokerForAsync(ConfigResource resource, CancellationToken cancellationToken)
    {
        // Broker and broker-logger configs live on that broker; anything else can be asked anywhere.
        if (resource.Type is ConfigResourceType.Broker or ConfigResourceType.BrokerLogger && int.TryParse(resource.Name, out int nodeId))
            return await BrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
        return await ControllerAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<KafkaBroker> CoordinatorAsync(string groupId, CancellationToken cancellationToken)
    {
        CoordinatorLookup found = (await FindCoordinatorsAsync([groupId], CoordinatorType.Group, cancellationToken).ConfigureAwait(false)).Single();
        KafkaErrorException.ThrowIfError((short)found.Error, $"FindCoordinator for group {groupId}", found.Message);
        return await BrokerAsync(found.NodeId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Each key's coordinator of <paramref name="type"/>, or the error FindCoordinator answered for it, in the order of
    /// <paramref name="keys"/>. Version 4 and later batch the keys in one request; older versions take one key per request.
    /// </summary>
    private async Task<List<CoordinatorLookup>> FindCoordinatorsAsync(IReadOnlyList<string> keys, CoordinatorType type, CancellationToken cancellationToken)
    {
        KafkaBroker any = await ControllerAsync(cancellationToken).ConfigureAwait(false);
        BrokerConnection connection = await any.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Negotiate<FindCoordinatorRequest>();
        var options = new SendOptions(MaxVersion: version);
        var found = new List<CoordinatorLookup>(keys.Count);
        if (version >= 4)
        {
            FindCoordinatorResponse response = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
                new FindCoordinatorRequest { KeyType = (sbyte)type, CoordinatorKeys = [.. keys] }, options, cancellationToken).ConfigureAwait(false);
            foreach (string key in keys)
            {
                FindCoordinatorResponse.Coordinator coordinator = response.Coordinators.FirstOrDefault(c => c.Key == key)
                    ?? throw new KafkaProtocolException($"FindCoordinator answered {response.Coordinators.Count} coordinators for {keys.Count} keys, none for {key}", "Coordinators");
                found.Add(new CoordinatorLookup(key, (ErrorCode)coordinator.ErrorCode, coordinator.ErrorMessage, coordinator.NodeId));
            }
            return found;
        }
        foreach (string key in keys)
        {
            FindCoordinatorResponse response = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
                new FindCoordinatorRequest { KeyType = (sbyte)type, Key = key }, options, cancellationToken).ConfigureAwait(false);
            found.Add(new CoordinatorLookup(key, (ErrorCode)response.ErrorCode, response.ErrorMessage, response.NodeId));
        }
        return found;
    }

    /// <summary>One key's coordinator as FindCoordinator answered it: its node id, or an error.</summary>
    private readonly record struct CoordinatorLookup(string Key, ErrorCode Error, string? Message, int NodeId);

    private async ValueTask<KafkaBroker> BrokerAsync(int nodeId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_leases.TryGetValue(nodeId, out BrokerLease? held)) return held.Broker;
        }
        BrokerLease lease = await _cluster.AcquireBrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_disposed && _leases.TryAdd(nodeId, lease)) return lease.Broker;
            if (_leases.TryGetValue(nodeId, out BrokerLease? raced))
            {
                lease.Dispose();
                return raced.Broker;
            }
        }
        lease.Dispose();
        throw new ObjectDisposedException(nameof(KafkaAdminClient));
    }

    private static void ThrowIfAnyFailed(string operation, IEnumerable<(string Name, short Error, string? Message)> outcomes)
    {
        var failed = outcomes.Where(o => o.Error != 0).ToList();
        if (failed.Count == 0) return;
        if (failed.Count == 1)
            throw new KafkaErrorException((ErrorCode)failed[0].Error, $"{operation} {failed[0].Name}", failed[0].Message);
        string details = string.Join("; ", failed.Select(f => $"{f.Name}: {((ErrorCode)f.Error).Name()}{(string.IsNullOrEmpty(f.Message) ? "" : $" ({f.Message})")}"));
        throw new KafkaErrorException((ErrorCode)failed[0].Error, $"{operation} failed for {failed.Count} items: {details}");
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>Releases the broker leases, and disposes the cluster client if this admin client created it.</summary>
    public async ValueTask DisposeAsync()
    {
        BrokerLease[] leases;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            leases = [.. _leases.Values];
            _leases.Clear();
        }
        foreach (BrokerLease lease in leases) lease.Dispose();
        if (_ownsCluster) await _cluster.DisposeAsync().ConfigureAwait(false);
    }
}
