using BenchmarkDotNet.Attributes;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Bench.Micro;

/// <summary>CRC-32C (hardware instruction) over 1 MiB.</summary>
[Config(typeof(MicroConfig))]
public class Crc32CBenchmarks : IBytesPerOperation
{
    private readonly byte[] _data = new byte[1024 * 1024];

    /// <inheritdoc />
    public long BytesPerOperation => _data.Length;

    /// <summary>Random data.</summary>
    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_data);

    /// <summary>One checksum over the whole buffer.</summary>
    [Benchmark]
    public uint Crc32COneMiB() => Crc32C.Compute(_data);
}

/// <summary>Zig-zag varint encode and decode of 1,000 mixed-size values.</summary>
[Config(typeof(MicroConfig))]
public class VarintBenchmarks : IBytesPerOperation
{
    private readonly long[] _values = new long[1_000];
    private readonly byte[] _buffer = new byte[1_000 * Varint.MaxLength64];
    private int _encodedLength;

    /// <inheritdoc />
    public long BytesPerOperation => _encodedLength;

    /// <summary>Values of every size, as record deltas and lengths are.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        for (int i = 0; i < _values.Length; i++)
            _values[i] = random.NextInt64(-1L << random.Next(1, 62), 1L << random.Next(1, 62));
        _encodedLength = EncodeVarLongs();
    }

    /// <summary>Writes the 1,000 values.</summary>
    [Benchmark]
    public int EncodeVarLongs()
    {
        int position = 0;
        foreach (long value in _values) position += Varint.WriteSigned(_buffer.AsSpan(position), value);
        return position;
    }

    /// <summary>Reads the 1,000 values back.</summary>
    [Benchmark]
    public long DecodeVarLongs()
    {
        long sum = 0;
        var reader = new KafkaReader(_buffer.AsSpan(0, _encodedLength));
        for (int i = 0; i < _values.Length; i++) sum += reader.ReadVarLong();
        return sum;
    }
}

/// <summary>1,000 small zig-zag varints (0..999), the common case for record lengths and deltas.</summary>
[Config(typeof(MicroConfig))]
public class SmallVarintBenchmarks : IBytesPerOperation
{
    private readonly byte[] _buffer = new byte[1_000 * Varint.MaxLength32];
    private int _encodedLength;

    /// <inheritdoc />
    public long BytesPerOperation => _encodedLength;

    /// <summary>Measures the encoded size once.</summary>
    [GlobalSetup]
    public void Setup() => _encodedLength = EncodeSmallVarInts();

    /// <summary>Writes the 1,000 values.</summary>
    [Benchmark]
    public int EncodeSmallVarInts()
    {
        int position = 0;
        for (int i = 0; i < 1_000; i++) position += Varint.WriteSigned(_buffer.AsSpan(position), i);
        return position;
    }

    /// <summary>Reads the 1,000 values back.</summary>
    [Benchmark]
    public long DecodeSmallVarInts()
    {
        long sum = 0;
        var reader = new KafkaReader(_buffer.AsSpan(0, _encodedLength));
        for (int i = 0; i < 1_000; i++) sum += reader.ReadVarInt();
        return sum;
    }
}
