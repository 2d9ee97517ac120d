using KafkaNative.Client;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// One <see cref="BrokerProducer"/> per broker, shared by the partitions it leads: acquired when a
/// partition routes to the broker, released when it leaves, retired when the last one has left.
/// </summary>
internal sealed class BrokerProducerPool(ProducerContext context)
{
    private readonly object _lock = new();
    private readonly Dictionary<int, BrokerProducer> _producers = [];
    private readonly List<Task> _retiring = [];

    public async ValueTask<BrokerProducer> AcquireAsync(int nodeId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_producers.TryGetValue(nodeId, out BrokerProducer? existing))
            {
                existing.References++;
                return existing;
            }
        }
        BrokerLease lease = await context.Cluster.AcquireBrokerAsync(nodeId, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_producers.TryGetValue(nodeId, out BrokerProducer? raced))
            {
                lease.Dispose();
                raced.References++;
                return raced;
            }
            var producer = new BrokerProducer(context, nodeId, lease) { References = 1 };
            _producers.Add(nodeId, producer);
            return producer;
        }
    }

    public void Release(BrokerProducer producer)
    {
        lock (_lock)
        {
            if (--producer.References > 0) return;
            if (_producers.TryGetValue(producer.NodeId, out BrokerProducer? current) && ReferenceEquals(current, producer))
                _producers.Remove(producer.NodeId);
            _retiring.RemoveAll(t => t.IsCompleted);
            _retiring.Add(RetireAsync(producer));
        }
    }

    /// <summary>Takes a broker producer that stopped on its own out of the pool, so the next partition to route there gets a new one.</summary>
    public void Forget(BrokerProducer producer)
    {
        lock (_lock)
            if (_producers.TryGetValue(producer.NodeId, out BrokerProducer? current) && ReferenceEquals(current, producer))
                _producers.Remove(producer.NodeId);
    }

    /// <summary>Closes every open batch now, for a flush.</summary>
    public void FlushAll()
    {
        lock (_lock)
            foreach (BrokerProducer producer in _producers.Values) producer.RequestFlush();
    }

    /// <summary>Waits for retired broker producers to finish (at shutdown).</summary>
    public Task WhenRetiredAsync()
    {
        lock (_lock) return Task.WhenAll(_retiring.Concat(_producers.Values.Select(p => p.DisposeAsync().AsTask())));
    }

    private async Task RetireAsync(BrokerProducer producer)
    {
        try
        {
            await producer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            context.Logger.LogWarning(e, "Retiring the producer for broker {Broker} failed", producer.NodeId);
        }
    }
}
