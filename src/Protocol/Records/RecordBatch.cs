using KafkaNative.Protocol.Compression;

namespace KafkaNative.Protocol.Records;

/// <summary>
/// One batch read by <see cref="RecordBatchReader"/>: its header and, through
/// <see cref="GetEnumerator"/>, its records. A legacy message (magic 0 or 1) shows up as a batch
/// of one record, or of its inner messages when it is a compressed wrapper.
/// </summary>
/// <remarks>
/// Records of a compressed batch are decompressed into the reader's buffer when enumerated; they
/// stay valid until the reader decompresses another batch. Records of an uncompressed batch are
/// slices of the input and stay valid as long as the input does.
/// </remarks>
public readonly struct RecordBatch
{
    private readonly RecordBatchReader? _reader;
    private readonly ReadOnlyMemory<byte> _records;
    private readonly long _offsetBase;
    private readonly long _timestampOverride;
    private readonly long _errorBase;
    private readonly bool _hasTimestampOverride;
    private readonly bool _needsDecompression;
    private readonly bool _decompressed;

    internal RecordBatch(
        RecordBatchReader reader, RecordBatchHeader header, ReadOnlyMemory<byte> rawBytes, ReadOnlyMemory<byte> records,
        bool needsDecompression, bool decompressed, long offsetBase, bool hasTimestampOverride, long timestampOverride,
        long errorBase)
    {
        _reader = reader;
        Header = header;
        RawBytes = rawBytes;
        _records = records;
        _needsDecompression = needsDecompression;
        _decompressed = decompressed;
        _offsetBase = offsetBase;
        _hasTimestampOverride = hasTimestampOverride;
        _timestampOverride = timestampOverride;
        _errorBase = errorBase;
    }

    /// <summary>The batch header.</summary>
    public RecordBatchHeader Header { get; }

    /// <summary>The whole batch as it appeared in the input, header included.</summary>
    public ReadOnlyMemory<byte> RawBytes { get; }

    /// <summary>
    /// For a control batch, the type of its control record (read from the first record);
    /// <see cref="ControlRecordType.Unknown"/> for other batches.
    /// </summary>
    /// <exception cref="KafkaProtocolException">The control record is malformed.</exception>
    public ControlRecordType ControlType
    {
        get
        {
            if (!Header.IsControl) return ControlRecordType.Unknown;
            RecordEnumerator records = GetEnumerator();
            if (!records.MoveNext()) throw new KafkaProtocolException("Control batch has no records", "recordsCount", _errorBase);
            return records.Current.GetControlRecordType();
        }
    }

    /// <summary>
    /// Enumerates the records, decompressing them first when the batch is compressed (into the
    /// reader's shared buffer, which invalidates records of the previously decompressed batch).
    /// </summary>
    /// <exception cref="KafkaProtocolException">The compressed data is corrupt or too large.</exception>
    public RecordEnumerator GetEnumerator()
    {
        if (_reader is null) return default;
        RecordBatchHeader header = Header;
        ReadOnlyMemory<byte> records = _records;
        bool decompressed = _decompressed;
        if (_needsDecompression)
        {
            records = _reader.Decompress(header.Compression, records.Span, header.RecordCount, _errorBase);
            decompressed = true;
        }
        var errors = new RecordErrorContext(_errorBase, decompressed);
        return new RecordEnumerator(
            records, header.RecordCount, header.Magic, header.Magic >= 2 ? header.BaseOffset : _offsetBase,
            header.BaseTimestamp, header.TimestampType, _hasTimestampOverride, _timestampOverride, header.IsControl, errors);
    }
}
