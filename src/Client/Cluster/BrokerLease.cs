namespace KafkaNative.Client;

/// <summary>
/// A reference to a shared <see cref="KafkaBroker"/>. Everyone using a broker (producer, consumer,
/// admin, metadata) holds its own lease, all sharing one connection; disposing the last lease
/// closes it. Dispose exactly once per acquisition (extra calls are ignored).
/// </summary>
internal sealed class BrokerLease : IDisposable
{
    private BrokerPool? _pool;

    internal BrokerLease(BrokerPool pool, KafkaBroker broker)
    {
        _pool = pool;
        Broker = broker;
    }

    /// <summary>The leased broker; do not use it after disposing the lease.</summary>
    public KafkaBroker Broker { get; }

    /// <summary>Releases the reference.</summary>
    public void Dispose() => Interlocked.Exchange(ref _pool, null)?.Release(Broker);
}
