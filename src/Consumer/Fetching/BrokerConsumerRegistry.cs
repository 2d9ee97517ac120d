namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// The consumer's broker consumers by node id, shared by reference count like broker leases: the
/// first partition dispatched to a broker starts its broker consumer, the last one to leave stops it.
/// </summary>
internal sealed class BrokerConsumerRegistry(ConsumerContext context)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, BrokerConsumer> _consumers = [];
    private readonly List<BrokerConsumer> _released = [];

    public int Count
    {
        get
        {
            lock (_lock) return _consumers.Count;
        }
    }

    public BrokerConsumer Acquire(int nodeId)
    {
        lock (_lock)
        {
            if (!_consumers.TryGetValue(nodeId, out BrokerConsumer? consumer))
            {
                consumer = new BrokerConsumer(context, nodeId);
                _consumers[nodeId] = consumer;
                consumer.Start();
            }
            consumer.References++;
            return consumer;
        }
    }

    public void Release(BrokerConsumer consumer)
    {
        lock (_lock)
        {
            if (--consumer.References > 0) return;
            Forget(consumer);
        }
        consumer.RequestStop();
    }

    /// <summary>A broker consumer whose loop failed: partitions dispatched from now on get a new one.</summary>
    public void OnFailed(BrokerConsumer consumer)
    {
        lock (_lock) Forget(consumer);
    }

    // Under the lock. Stopped loops are kept until they end, so disposal waits for them too.
    private void Forget(BrokerConsumer consumer)
    {
        if (_consumers.TryGetValue(consumer.NodeId, out BrokerConsumer? current) && current == consumer) _consumers.Remove(consumer.NodeId);
        _released.RemoveAll(c => c.IsStopped);
        if (!_released.Contains(consumer)) _released.Add(consumer);
    }

    /// <summary>Stops every broker consumer (their partitions were stopped first) and waits for every loop, released ones included.</summary>
    public async ValueTask DisposeAsync()
    {
        List<BrokerConsumer> all;
        lock (_lock)
        {
            all = [.. _consumers.Values, .. _released];
            _consumers.Clear();
            _released.Clear();
        }
        foreach (BrokerConsumer consumer in all) consumer.RequestStop();
        foreach (BrokerConsumer consumer in all) await consumer.StopAsync().ConfigureAwait(false);
    }
}
