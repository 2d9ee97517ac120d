using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// A record that cannot be read: its batch fails the checksum or does not decode, or its key or value
/// fails to deserialize. Not retriable: the same bytes fail again. Carries where it is and the raw bytes,
/// for a dead-letter queue; consuming again continues after it (<see cref="NextOffset"/>).
/// </summary>
public sealed class KafkaCorruptRecordException : KafkaConsumeException
{
    /// <summary>Creates the exception.</summary>
    public KafkaCorruptRecordException(TopicPartition partition, long offset, long nextOffset, string message, Exception? innerException = null)
        : base(ErrorCode.CorruptMessage, partition, message, innerException)
    {
        Offset = offset;
        NextOffset = nextOffset;
    }

    /// <summary>The offset of the record (or the first offset of the batch) that cannot be read.</summary>
    public long Offset { get; }

    /// <summary>Where consuming continues: the offset after the record, or after the batch.</summary>
    public long NextOffset { get; }

    /// <summary>The raw batch as fetched (up to its stated length) when the batch itself is corrupt; null otherwise.</summary>
    public byte[]? RawBatch { get; init; }

    /// <summary>The raw key when a record failed to deserialize (null for a null key or a corrupt batch).</summary>
    public byte[]? RawKey { get; init; }

    /// <summary>The raw value when a record failed to deserialize (null for a null value or a corrupt batch).</summary>
    public byte[]? RawValue { get; init; }

    /// <inheritdoc />
    public override bool IsRetriable => false;
}
