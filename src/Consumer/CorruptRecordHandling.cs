namespace KafkaNative;

/// <summary>What the consumer does with a record it cannot read (see <see cref="ConsumerOptions.CorruptRecordHandling"/>).</summary>
public enum CorruptRecordHandling
{
    /// <summary>The consume loop throws <see cref="KafkaCorruptRecordException"/> at that point of the partition; consuming again continues after the record.</summary>
    Throw,

    /// <summary>The record (or the undecodable batch) is logged as a warning and skipped; the consume loop goes on.</summary>
    Skip,
}
