namespace KafkaNative.Client;

/// <summary>
/// The brokers of one cluster client, one per node id (and a second one per node for group coordination,
/// see <see cref="KafkaBroker.ForCoordination"/>), shared by reference count. A broker whose
/// address changed in the metadata is retired: current leases keep it, new ones get a fresh broker.
/// Each node's reconnect backoff lives here for the life of the client, not in the broker objects:
/// a broker released and acquired again in a retry loop still waits out its backoff.
/// </summary>
internal sealed class BrokerPool(KafkaClientOptions options) : IAsyncDisposable
{
    private readonly Dictionary<(int NodeId, bool ForCoordination), KafkaBroker> _brokers = new();
    private readonly HashSet<KafkaBroker> _retired = new();
    private readonly Dictionary<int, ReconnectBackoff> _backoffs = new();
    private readonly RetryBackoff _reconnectPolicy = new(options.ReconnectBackoffMin, options.ReconnectBackoffMax);
    private readonly Lock _lock = new();
    private bool _disposed;

    public BrokerLease Acquire(int nodeId, BrokerEndpoint endpoint, bool forCoordination = false)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_brokers.TryGetValue((nodeId, forCoordination), out KafkaBroker? broker) || broker.Endpoint != endpoint)
            {
                if (broker is not null)
                {
                    _brokers.Remove((nodeId, forCoordination));
                    _retired.Add(broker);
                }
                if (!_backoffs.TryGetValue(nodeId, out ReconnectBackoff? backoff))
                {
                    backoff = new ReconnectBackoff(_reconnectPolicy, options.TimeProvider);
                    _backoffs.Add(nodeId, backoff);
                }
                broker = new KafkaBroker(nodeId, endpoint, options, backoff, forCoordination);
                _brokers.Add((nodeId, forCoordination), broker);
            }
            broker.References++;
            return new BrokerLease(this, broker);
        }
    }

    /// <summary>Requests awaiting a response on node <paramref name="nodeId"/>'s connection (its group coordination connection aside).</summary>
    public int AwaitingResponses(int nodeId)
    {
        lock (_lock) return _brokers.TryGetValue((nodeId, false), out KafkaBroker? broker) ? broker.AwaitingResponses : 0;
    }

    /// <summary>Number of brokers with at least one lease; for tests and diagnostics.</summary>
    public int ActiveCount
    {
        get
        {
            lock (_lock) return _brokers.Values.Count(b => b.References > 0) + _retired.Count;
        }
    }

    public void Release(KafkaBroker broker)
    {
        lock (_lock)
        {
            if (--broker.References > 0 || _disposed) return;
            bool current = _brokers.TryGetValue((broker.NodeId, broker.ForCoordination), out KafkaBroker? known) && ReferenceEquals(known, broker);
            // A cluster broker keeps its connection when its last lease goes, as the Java client does:
            // a partition that leaves and comes back (a retry, a leader move) must not cost a new
            // connection each time. Bootstrap servers and retired addresses are closed.
            if (current && broker.NodeId >= 0) return;
            if (current) _brokers.Remove((broker.NodeId, broker.ForCoordination));
            _retired.Remove(broker);
        }
        // Last user gone: close the connection in the background; failures are logged by the connection.
        _ = broker.DisposeAsync().AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        KafkaBroker[] brokers;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            brokers = [.. _brokers.Values, .. _retired];
            _brokers.Clear();
            _retired.Clear();
        }
        foreach (KafkaBroker broker in brokers) await broker.DisposeAsync().ConfigureAwait(false);
    }
}
