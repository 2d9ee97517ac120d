namespace KafkaNative.Protocol.Records;

/// <summary>Byte positions of the fields of record batches (magic 2) and legacy messages (magic 0 and 1).</summary>
internal static class RecordBatchLayout
{
    // Shared by every format: offset int64 + length int32.
    public const int LogOverhead = 12;
    public const int LengthOffset = 8;
    public const int MagicOffset = 16;

    // Magic 2.
    public const int PartitionLeaderEpochOffset = 12;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordCountOffset = 57;
    public const int HeaderSize = 61;
    public const int MinBatchLength = HeaderSize - LogOverhead;

    // Smallest record: length, attributes, timestamp delta, offset delta, key length, value length, header count.
    public const int MinRecordSize = 7;

    public const int CompressionMask = 0x07;
    public const int TimestampTypeFlag = 0x08;
    public const int TransactionalFlag = 0x10;
    public const int ControlFlag = 0x20;
    public const int DeleteHorizonFlag = 0x40;

    // Legacy messages: offset, size, crc, magic, attributes, [timestamp], key, value.
    public const int LegacyCrcOffset = 12;
    public const int LegacyAttributesOffset = 17;
    public const int LegacyTimestampOffset = 18;
    public const int LegacyV0MinSize = 4 + 1 + 1 + 4 + 4;
    public const int LegacyV1MinSize = LegacyV0MinSize + 8;
    public const int LegacyTimestampTypeFlag = 0x08;
}
