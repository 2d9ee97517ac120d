using System.Buffers;

namespace KafkaNative.Protocol.Compression;

/// <summary>Exceptions shared by every codec, so messages read the same whichever codec failed.</summary>
internal static class CodecErrors
{
    private const string Field = "records";

    public static KafkaProtocolException Corrupt(CompressionType codec, string detail, long offset = -1, Exception? inner = null) =>
        new($"Corrupt {codec} compressed data: {detail}", Field, offset, inner);

    public static KafkaProtocolException TooLarge(CompressionType codec, int maxDecompressedBytes) =>
        new($"{codec} compressed data decompresses to more than the limit of {maxDecompressedBytes} bytes (possible decompression bomb)", Field);
}

/// <summary>Hands out output spans that never reach more than one byte past the decompression cap.</summary>
internal static class OutputBudget
{
    // Big enough that decoders are called rarely, small enough not to over-rent for small records.
    private const int ChunkHint = 64 * 1024;

    /// <summary>
    /// A span of <paramref name="destination"/> holding at most <c>max - produced + 1</c> bytes: a decoder that
    /// fills the extra byte has proven the output is over the cap without ever writing much past it.
    /// </summary>
    public static Span<byte> Next(IBufferWriter<byte> destination, long produced, int max)
    {
        long allowed = max - produced + 1;
        Span<byte> span = destination.GetSpan((int)Math.Min(ChunkHint, allowed));
        return span.Length > allowed ? span[..(int)allowed] : span;
    }
}

/// <summary>
/// A small thread-safe stack of codec contexts (zstd compressors and decompressors). Building one costs
/// hundreds of KiB of tables; reusing them keeps the hot path free of that.
/// </summary>
internal sealed class CodecContextPool<T>(int capacity) where T : class, IDisposable
{
    private readonly T[] _items = new T[capacity];
    private readonly Lock _lock = new();
    private int _count;

    /// <summary>A pooled context, or null when the pool is empty.</summary>
    public T? TryRent()
    {
        lock (_lock)
        {
            if (_count == 0) return null;
            T item = _items[--_count];
            _items[_count] = null!;
            return item;
        }
    }

    /// <summary>Keeps <paramref name="context"/> for reuse, or disposes of it when the pool is full.</summary>
    public void Return(T context)
    {
        lock (_lock)
        {
            if (_count < _items.Length)
            {
                _items[_count++] = context;
                return;
            }
        }
        context.Dispose();
    }

    /// <summary>Contexts kept: enough for every core to compress and decompress at once.</summary>
    public static int DefaultCapacity => Math.Clamp(Environment.ProcessorCount * 2, 4, 32);

    /// <summary>Contexts waiting for reuse, for tests.</summary>
    internal int Count
    {
        get { lock (_lock) return _count; }
    }
}
