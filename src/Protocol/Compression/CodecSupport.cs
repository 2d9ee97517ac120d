using System.Buffers;
using System.Runtime.InteropServices;

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
    // Big enough that native decoders are called rarely, small enough not to over-rent for small records.
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

/// <summary>Loads native codec libraries by trying the names each platform uses.</summary>
internal static class NativeLibraries
{
    public static nint TryLoad(string[] names)
    {
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out nint handle)) return handle;
        }
        return 0;
    }

    public static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address) ? address : 0;

    public static string? ErrorString(nint utf8) => Marshal.PtrToStringUTF8(utf8);
}

/// <summary>
/// A small thread-safe stack of native codec contexts. Creating a zstd or lz4 context costs
/// allocations and page faults; reusing them keeps the hot path free of both.
/// </summary>
internal sealed class NativeContextPool(int capacity)
{
    private readonly nint[] _items = new nint[capacity];
    private readonly Lock _lock = new();
    private int _count;

    /// <summary>A pooled context, or 0 when the pool is empty.</summary>
    public nint TryRent()
    {
        lock (_lock) return _count > 0 ? _items[--_count] : 0;
    }

    /// <summary>Keeps <paramref name="context"/> for reuse; false when the pool is full and the caller must free it.</summary>
    public bool TryReturn(nint context)
    {
        lock (_lock)
        {
            if (_count == _items.Length) return false;
            _items[_count++] = context;
            return true;
        }
    }

    public static int DefaultCapacity => Math.Clamp(Environment.ProcessorCount * 2, 4, 32);
}
