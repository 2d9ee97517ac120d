using BenchmarkDotNet.Attributes;
using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Protocol.Records;

namespace KafkaNative.Bench.Micro;

/// <summary>
/// Each codec alone on the records section of a batch of 100-byte JSON-like values, at the 64 KiB a
/// lingering producer often sends and at 1 MiB (the default batch.size cap). Throughput counts the
/// uncompressed bytes.
/// </summary>
[Config(typeof(MicroConfig))]
public class CodecBenchmarks : IBytesPerOperation
{
    private const int ValueSize = 100;

    private byte[] _records = [];
    private byte[] _compressed = [];
    private readonly PooledBufferWriter _output = new(2 * 1024 * 1024);

    /// <summary>The codec.</summary>
    [Params(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    /// <summary>Uncompressed size of the records section.</summary>
    [Params(64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    /// <inheritdoc />
    public long BytesPerOperation => _records.Length;

    /// <summary>Builds the records once, and compresses them once to have something to decompress.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _records = MakeRecords(Size);
        _output.Clear();
        Codecs.Compress(Codec, _records, _output);
        _compressed = _output.WrittenSpan.ToArray();
    }

    /// <summary>Compresses the records section.</summary>
    [Benchmark]
    public int Compress()
    {
        _output.Clear();
        Codecs.Compress(Codec, _records, _output);
        return _output.WrittenCount;
    }

    /// <summary>Decompresses it back.</summary>
    [Benchmark]
    public int Decompress()
    {
        _output.Clear();
        Codecs.Decompress(Codec, _compressed, _output);
        return _output.WrittenCount;
    }

    // What a batch's records section holds: varint-framed records whose values look like small JSON events.
    private static byte[] MakeRecords(int size)
    {
        using var builder = new RecordBatchBuilder(size + 4096);
        var random = new Random(42);
        byte[] key = new byte[8];
        byte[] value = new byte[ValueSize];
        string[] kinds = ["click", "view", "purchase", "signup"];
        long timestamp = 1_700_000_000_000;
        for (int i = 0; builder.SizeInBytes - RecordBatchLayout.HeaderSize < size; i++)
        {
            BitConverter.TryWriteBytes(key, (long)random.Next(10_000));
            string json = $"{{\"id\":{i},\"user\":{random.Next(100_000)},\"event\":\"{kinds[random.Next(kinds.Length)]}\",\"amount\":{random.Next(1000)}.{random.Next(100):00}";
            value.AsSpan().Fill((byte)' ');
            System.Text.Encoding.ASCII.GetBytes(json).AsSpan(0, Math.Min(json.Length, ValueSize - 1)).CopyTo(value);
            value[^1] = (byte)'}';
            builder.Append(timestamp + i, key, value);
        }
        return builder.Build()[RecordBatchLayout.HeaderSize..].ToArray()[..size];
    }
}
