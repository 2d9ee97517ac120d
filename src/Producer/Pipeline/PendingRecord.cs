using System.Buffers;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// A record on its way through the pipeline (dispatcher, topic, partition, broker). A struct, so the
/// channels between the stages carry it without allocating.
/// </summary>
internal struct PendingRecord
{
    public string Topic;
    /// <summary>The partition, or -1 until the topic producer picks one.</summary>
    public int Partition;
    public ReadOnlyMemory<byte> Key;
    public ReadOnlyMemory<byte> Value;
    public bool KeyIsNull;
    public bool ValueIsNull;
    /// <summary>What holds the serialized key and value (a <see cref="SerializationArena.Slab"/> or a pooled array), released once appended to a batch.</summary>
    public object? Rented;
    public RecordHeader[]? Headers;
    public long Timestamp;
    /// <summary><see cref="ProducerContext.Now"/> by which the record must be acknowledged.</summary>
    public long Deadline;
    /// <summary>Bytes taken from the memory budget.</summary>
    public int Size;
    /// <summary>A <see cref="DeliveryPromise"/>, an <see cref="Action{DeliveryReport}"/>, or null.</summary>
    public object? Completion;
    /// <summary>The flush generation the record belongs to.</summary>
    public int Generation;
    /// <summary>The routing epoch of the partition when the record was handed to a broker producer.</summary>
    public int RoutingEpoch;
    /// <summary>The partition's shared state, set when its partition producer hands the record to a broker producer.</summary>
    public PartitionState? State;

    /// <summary>Gives the serialized bytes' storage back, once they have been copied into a batch.</summary>
    public void ReturnRented()
    {
        switch (Rented)
        {
            case null:
                return;
            case SerializationArena.Slab slab:
                slab.Release();
                break;
            case byte[] array:
                ArrayPool<byte>.Shared.Return(array);
                break;
        }
        Rented = null;
    }
}
