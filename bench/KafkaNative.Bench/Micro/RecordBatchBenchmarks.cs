using BenchmarkDotNet.Attributes;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Bench.Micro;

/// <summary>
/// A batch of 1,000 records with 100-byte values, encoded and decoded per codec. Throughput counts
/// the uncompressed record bytes (what the application handed over), the way clients report it.
/// </summary>
[Config(typeof(MicroConfig))]
public class RecordBatchBenchmarks : IBytesPerOperation
{
    private const int Records = 1_000;
    private const int ValueSize = 100;

    private readonly byte[] _value = new byte[ValueSize];
    private readonly byte[] _key = new byte[8];
    private RecordBatchBuilder _builder = null!;
    private RecordBatchReader _reader = null!;
    private ReadOnlyMemory<byte> _encoded;
    private int _uncompressedSize;

    /// <summary>The codec.</summary>
    [Params(CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    /// <inheritdoc />
    public long BytesPerOperation => _uncompressedSize;

    /// <summary>Builds the batch once to have something to decode.</summary>
    [GlobalSetup]
    public void Setup()
    {
        // Text-like values so the codecs have something to find, not random noise.
        for (int i = 0; i < _value.Length; i++) _value[i] = (byte)('a' + i % 23);
        _builder = new RecordBatchBuilder(256 * 1024) { Compression = Codec };
        _reader = new RecordBatchReader();
        _encoded = Encode().ToArray();
        var uncompressed = new RecordBatchBuilder(256 * 1024);
        _uncompressedSize = Fill(uncompressed).Build().Length;
    }

    /// <summary>Appends 1,000 records and builds the batch (CRC included).</summary>
    [Benchmark]
    public int EncodeBatch() => Encode().Length;

    /// <summary>Validates the CRC, decompresses, and walks every record's key and value.</summary>
    [Benchmark]
    public long DecodeBatch()
    {
        long sum = 0;
        foreach (RecordBatch batch in _reader.Read(_encoded))
            foreach (Record record in batch)
                sum += record.Offset + record.KeyLength + record.ValueSpan.Length;
        return sum;
    }

    private ReadOnlyMemory<byte> Encode() => Fill(_builder).Build();

    private RecordBatchBuilder Fill(RecordBatchBuilder builder)
    {
        builder.Reset();
        long timestamp = 1_700_000_000_000;
        for (int i = 0; i < Records; i++)
        {
            BitConverter.TryWriteBytes(_key, (long)i);
            builder.Append(timestamp + i, _key, _value);
        }
        return builder;
    }
}
