using KafkaNative.Protocol.Compression;

namespace KafkaNative.Protocol.Records;

/// <summary>
/// The header fields of one record batch. For legacy messages (magic 0 and 1) the fields are
/// derived from the message: producer id, epoch, sequence and leader epoch are -1, and
/// <see cref="BaseOffset"/>, <see cref="LastOffsetDelta"/> and <see cref="RecordCount"/> describe
/// the message or, for a compressed wrapper, its inner messages.
/// </summary>
public readonly struct RecordBatchHeader
{
    internal RecordBatchHeader(
        long baseOffset, int batchLength, int partitionLeaderEpoch, byte magic, uint crc, short attributes,
        int lastOffsetDelta, long baseTimestamp, long maxTimestamp, long producerId, short producerEpoch,
        int baseSequence, int recordCount)
    {
        BaseOffset = baseOffset;
        BatchLength = batchLength;
        PartitionLeaderEpoch = partitionLeaderEpoch;
        Magic = magic;
        Crc = crc;
        Attributes = attributes;
        LastOffsetDelta = lastOffsetDelta;
        BaseTimestamp = baseTimestamp;
        MaxTimestamp = maxTimestamp;
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
        RecordCount = recordCount;
    }

    /// <summary>Offset of the first record of the batch.</summary>
    public long BaseOffset { get; }

    /// <summary>Bytes after the batch length field (the whole batch is this plus 12).</summary>
    public int BatchLength { get; }

    /// <summary>Leader epoch the broker stamped on the batch; -1 when unknown.</summary>
    public int PartitionLeaderEpoch { get; }

    /// <summary>Format version: 2 for record batches, 0 or 1 for legacy messages.</summary>
    public byte Magic { get; }

    /// <summary>Stored checksum: CRC-32C for magic 2, CRC-32 (IEEE) for legacy messages.</summary>
    public uint Crc { get; }

    /// <summary>The raw attribute bits.</summary>
    public short Attributes { get; }

    /// <summary>Offset of the last record minus <see cref="BaseOffset"/>.</summary>
    public int LastOffsetDelta { get; }

    /// <summary>Timestamp that record timestamp deltas are relative to (the delete horizon when <see cref="HasDeleteHorizon"/>).</summary>
    public long BaseTimestamp { get; }

    /// <summary>Largest record timestamp, or the log append time when <see cref="TimestampType"/> is <see cref="TimestampType.LogAppendTime"/>.</summary>
    public long MaxTimestamp { get; }

    /// <summary>Producer id for idempotent and transactional producers; -1 otherwise.</summary>
    public long ProducerId { get; }

    /// <summary>Producer epoch; -1 when there is no producer id.</summary>
    public short ProducerEpoch { get; }

    /// <summary>Sequence number of the first record; -1 when there is no producer id.</summary>
    public int BaseSequence { get; }

    /// <summary>Number of records in the batch.</summary>
    public int RecordCount { get; }

    /// <summary>Offset of the last record.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>The offset after the batch: where the next fetch continues.</summary>
    public long NextOffset => LastOffset + 1;

    /// <summary>Codec of the records section.</summary>
    public CompressionType Compression => (CompressionType)(Attributes & RecordBatchLayout.CompressionMask);

    /// <summary>Whether record timestamps are producer create times or the broker's log append time.</summary>
    public TimestampType TimestampType =>
        Magic == 0 ? TimestampType.None
        : (Attributes & RecordBatchLayout.TimestampTypeFlag) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    /// <summary>True when the batch belongs to a transaction.</summary>
    public bool IsTransactional => Magic >= 2 && (Attributes & RecordBatchLayout.TransactionalFlag) != 0;

    /// <summary>True when the batch holds a control record (for example a transaction marker).</summary>
    public bool IsControl => Magic >= 2 && (Attributes & RecordBatchLayout.ControlFlag) != 0;

    /// <summary>True when <see cref="BaseTimestamp"/> is the delete horizon set by log compaction.</summary>
    public bool HasDeleteHorizon => Magic >= 2 && (Attributes & RecordBatchLayout.DeleteHorizonFlag) != 0;
}
