using System.IO.Compression;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Records;

/// <summary>
/// Reads the record batches of a Fetch response's records field: magic 2 batches and legacy
/// magic 0 and 1 message sets, in any mix. Batches and records are decoded without copying;
/// compressed batches are decompressed into one pooled buffer that the reader reuses. A partial
/// batch at the end of the input (which brokers may send) is ignored. Reuse one reader per
/// consumer thread; not thread-safe.
/// </summary>
public sealed class RecordBatchReader : IDisposable
{
    private readonly PooledBufferWriter _decompressed = new(64 * 1024);

    internal IRecordCodec Codec { get; set; } = CodecsRecordCodec.Instance;

    /// <summary>Whether batch checksums are checked (CRC-32C for magic 2, CRC-32 for legacy). On by default.</summary>
    public bool VerifyCrc { get; set; } = true;

    /// <summary>Largest size one compressed batch may decompress to; larger ones are rejected.</summary>
    public int MaxDecompressedBytes { get; set; } = Codecs.DefaultMaxDecompressedBytes;

    /// <summary>
    /// Whether a truncated batch at the end of the input is silently ignored (the default, as
    /// Kafka allows). When false, it throws <see cref="KafkaProtocolException"/>.
    /// </summary>
    public bool AllowPartialTrailingBatch { get; set; } = true;

    /// <summary>Enumerates the batches in <paramref name="records"/>.</summary>
    /// <param name="records">Concatenated batches, e.g. a Fetch response's records field.</param>
    /// <param name="streamOffset">Offset of <paramref name="records"/> in a larger buffer, for error messages.</param>
    public RecordBatchEnumerator Read(ReadOnlyMemory<byte> records, long streamOffset = 0) => new(this, records, streamOffset);

    /// <summary>Returns the decompression buffer to the pool.</summary>
    public void Dispose() => _decompressed.Dispose();

    internal ReadOnlyMemory<byte> Decompress(CompressionType type, ReadOnlySpan<byte> source, int minRecords, long errorOffset)
    {
        int max = MaxDecompressedBytes;
        // Every record takes at least a few bytes: a count the limit cannot hold is rejected before decompressing.
        if ((long)minRecords * RecordBatchLayout.MinRecordSize > max)
            throw new KafkaProtocolException($"Record count {minRecords} cannot fit in the {max} bytes a batch may decompress to", "recordsCount", errorOffset);
        _decompressed.Clear();
        try
        {
            Codec.Decompress(type, source, _decompressed, max);
        }
        catch (InvalidDataException e)
        {
            throw new KafkaProtocolException($"Corrupt {type} data: {e.Message}", "records", errorOffset, e);
        }
        if (_decompressed.WrittenCount > max)
            throw new KafkaProtocolException($"Batch decompressed to {_decompressed.WrittenCount} bytes, more than the maximum of {max}", "records", errorOffset);
        return _decompressed.WrittenMemory;
    }
}
