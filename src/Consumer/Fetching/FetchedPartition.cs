using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Fetching;

/// <summary>One partition's share of a fetch response, on its way from the broker consumer to the partition's feeder.</summary>
internal sealed class FetchedPartition(BrokerConsumer broker, SharedFetchResponse response, FetchResponse.PartitionData data, FetchRound round, long fetchOffset, int version)
{
    /// <summary>The broker consumer that fetched it.</summary>
    public BrokerConsumer Broker { get; } = broker;

    private int _acknowledged;
    private int _released;

    public FetchResponse.PartitionData Data { get; } = data;

    public long FetchOffset { get; } = fetchOffset;

    public int Version { get; } = version;

    /// <summary>The answer named a newer leader that the cluster's cache took (KIP-951): re-dispatch on the cache as it is.</summary>
    public bool LeaderHinted { get; init; }

    /// <summary>True once <see cref="Acknowledge"/> was called.</summary>
    public bool IsAcknowledged => Volatile.Read(ref _acknowledged) != 0;

    /// <summary>Acknowledges the share to the broker consumer once (later calls are ignored).</summary>
    public void Acknowledge(PartitionConsumer partition, bool unsubscribe)
    {
        if (Interlocked.Exchange(ref _acknowledged, 1) == 0) round.Ack(partition, unsubscribe);
    }

    /// <summary>Releases the response buffer reference once; the records must not be read afterwards.</summary>
    public void ReleaseBuffer()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) response.Release();
    }
}
