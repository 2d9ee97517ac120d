namespace KafkaNative.Chaos;

/// <summary>The settings every chaos run shares, for our clients and kcat alike.</summary>
public static class ChaosSettings
{
    /// <summary>Partitions of the workload topic.</summary>
    public const int Partitions = 6;

    /// <summary>Small batches, so that a backlog is many batches per partition (more than the 5 in flight).</summary>
    public const int BatchSize = 2048;

    /// <summary>
    /// The producer's buffer: about 9,700 records (it charges about 54 bytes for each), some 20 full
    /// batches per partition, before backpressure stops the caller.
    /// </summary>
    public const int BufferMemory = 512 * 1024;

    /// <summary>
    /// A backlog of "more than 5 batches queued per partition" beyond the 5 in flight: 11 full batches per
    /// partition, a full batch holding at most 70 records (each stores at least its 22 key and value bytes
    /// and 7 of framing).
    /// </summary>
    public const int BacklogRecords = Partitions * 11 * (BatchSize / 29);

    /// <summary>Records a producer may run ahead of a fault between gates: more than its buffer holds, so the backlog builds.</summary>
    public const int StreamChunk = 12_000;

    /// <summary>Request timeout of every client: the stall fault stays under it, the latency fault above it.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Delivery budget; every fault is shorter, so no record may fail.</summary>
    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Linger; short, so batches leave as soon as they can.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(2);

    /// <summary>The only timing that passes or fails a test: a gap this long means a storm or a hang.</summary>
    public static readonly TimeSpan StallBound = TimeSpan.FromSeconds(10);
}
