namespace KafkaNative;

/// <summary>Where an acknowledged record was written.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The record's offset in the partition, or -1 when acks=0 gave none.</param>
/// <param name="Timestamp">The record's timestamp (the broker's, when the topic uses LogAppendTime).</param>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, DateTimeOffset Timestamp);

/// <summary>The outcome of a fire-and-forget record: a result, or the error that ended it.</summary>
/// <param name="Result">Where the record was written; its offset is -1 when it failed.</param>
/// <param name="Error">Why the record was not delivered, or null on success.</param>
public readonly record struct DeliveryReport(DeliveryResult Result, KafkaNative.KafkaException? Error)
{
    /// <summary>True when the record was acknowledged.</summary>
    public bool Succeeded => Error is null;
}
