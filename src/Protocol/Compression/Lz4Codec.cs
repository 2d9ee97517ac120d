using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace KafkaNative.Protocol.Compression;

/// <summary>
/// LZ4 frame format through the system's liblz4 (LZ4F API). Writes what Kafka's Java client writes:
/// 64 KiB independent blocks, no block or content checksums, no content size.
/// </summary>
internal static unsafe class Lz4Codec
{
    internal const string LibraryName = "liblz4.so.1";
    internal const string InstallHint = "Debian/Ubuntu: apt-get install -y liblz4-1";

    /// <summary>Magic number that opens every LZ4 frame (little-endian on the wire).</summary>
    internal const uint FrameMagic = 0x184D2204;

    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const int MinFrameHeader = 7; // magic, FLG, BD, header checksum
    private const int Lz4FVersion = 100;   // LZ4F_VERSION: the API version the context is created for
    private const int BlockSizeMax64KB = 4;
    private const int BlockIndependent = 1;

    internal static readonly string[] LibraryNames =
        ["liblz4.so.1", "liblz4.so", "liblz4.1.dylib", "liblz4.dylib", "liblz4.dll", "lz4.dll"];

    private static readonly Lazy<Native?> s_native = new(() => Native.TryLoad(LibraryNames), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>liblz4, loaded on first use.</summary>
    internal static Native Api => s_native.Value ?? throw Unavailable();

    internal static CodecUnavailableException Unavailable() => new(CompressionType.Lz4, LibraryName, InstallHint);

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        Native api = Api;
        // Level 0 is LZ4's fast mode, as librdkafka's default; 3 and above select LZ4HC.
        Preferences prefs = new() { BlockSizeId = BlockSizeMax64KB, BlockMode = BlockIndependent, CompressionLevel = level ?? 0 };
        nuint bound = api.CompressFrameBound((nuint)source.Length, &prefs);
        if (bound > (nuint)Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(source), source.Length, "Input too large for one LZ4 frame.");

        Span<byte> output = destination.GetSpan((int)bound);
        byte empty = 0;
        nuint written;
        fixed (byte* src = source)
        fixed (byte* dst = output)
        {
            written = api.CompressFrame(dst, (nuint)output.Length, source.IsEmpty ? &empty : src, (nuint)source.Length, &prefs);
        }
        if (api.IsError(written) != 0)
            throw new KafkaException($"LZ4 compression failed: {api.ErrorName(written)}");
        destination.Advance((int)written);
    }

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        CheckFirstFrameHeader(source, maxDecompressedBytes);
        Native api = Api;
        nint context = api.RentDecompressionContext();
        bool clean = false;
        try
        {
            long produced = 0;
            int consumed = 0;
            fixed (byte* input = source)
            {
                while (true)
                {
                    Span<byte> output = OutputBudget.Next(destination, produced, maxDecompressedBytes);
                    nuint outSize = (nuint)output.Length;
                    nuint inSize = (nuint)(source.Length - consumed);
                    nuint hint;
                    fixed (byte* dst = output)
                    {
                        hint = api.Decompress(context, dst, &outSize, input + consumed, &inSize, null);
                    }
                    if (api.IsError(hint) != 0)
                        throw CodecErrors.Corrupt(CompressionType.Lz4, api.ErrorName(hint), consumed);

                    consumed += (int)inSize;
                    if (outSize > 0)
                    {
                        if (produced + (long)outSize > maxDecompressedBytes)
                            throw CodecErrors.TooLarge(CompressionType.Lz4, maxDecompressedBytes);
                        destination.Advance((int)outSize);
                        produced += (long)outSize;
                    }

                    if (hint == 0)
                    {
                        // End of frame; the context is ready for another. Kafka sends one frame, but accept more.
                        if (consumed == source.Length) break;
                        continue;
                    }
                    if (consumed == source.Length && outSize < (nuint)output.Length)
                        throw CodecErrors.Corrupt(CompressionType.Lz4, "the frame is truncated", consumed);
                    if (inSize == 0 && outSize == 0)
                        throw CodecErrors.Corrupt(CompressionType.Lz4, "the decoder made no progress", consumed);
                }
            }
            clean = true;
        }
        finally
        {
            api.ReturnDecompressionContext(context, clean);
        }
    }

    // Rejects what is plainly not LZ4 before calling native code, and a declared content size over the cap
    // before anything is decoded.
    private static void CheckFirstFrameHeader(ReadOnlySpan<byte> source, int max)
    {
        if (source.Length < MinFrameHeader)
            throw CodecErrors.Corrupt(CompressionType.Lz4, $"{source.Length} bytes is shorter than an LZ4 frame header", 0);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if ((magic & SkippableMagicMask) == SkippableMagic) return;
        if (magic != FrameMagic)
            throw CodecErrors.Corrupt(CompressionType.Lz4, $"bad frame magic 0x{magic:X8} (expected 0x{FrameMagic:X8})", 0);
        byte flags = source[4];
        const int ContentSizeFlag = 0x08;
        if ((flags & ContentSizeFlag) != 0 && source.Length >= 14 &&
            BinaryPrimitives.ReadUInt64LittleEndian(source[6..]) > (ulong)max)
            throw CodecErrors.TooLarge(CompressionType.Lz4, max);
    }

    /// <summary>LZ4F_preferences_t (lz4frame.h), with its LZ4F_frameInfo_t inlined.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Preferences
    {
        public int BlockSizeId;
        public int BlockMode;
        public int ContentChecksumFlag;
        public int FrameType;
        public ulong ContentSize;
        public uint DictId;
        public int BlockChecksumFlag;
        public int CompressionLevel;
        public uint AutoFlush;
        public uint FavorDecSpeed;
        public uint Reserved0;
        public uint Reserved1;
        public uint Reserved2;
    }

    /// <summary>Entry points of liblz4 and a pool of decompression contexts.</summary>
    internal sealed class Native
    {
        public readonly delegate* unmanaged<nuint, Preferences*, nuint> CompressFrameBound;
        public readonly delegate* unmanaged<byte*, nuint, byte*, nuint, Preferences*, nuint> CompressFrame;
        public readonly delegate* unmanaged<nint*, uint, nuint> CreateDecompressionContext;
        public readonly delegate* unmanaged<nint, nuint> FreeDecompressionContext;
        public readonly delegate* unmanaged<nint, byte*, nuint*, byte*, nuint*, void*, nuint> Decompress;
        public readonly delegate* unmanaged<nuint, uint> IsError;
        public readonly delegate* unmanaged<nuint, nint> GetErrorName;
        public readonly delegate* unmanaged<uint> GetVersion;
        public readonly delegate* unmanaged<int> VersionNumber;
        // Optional (1.8.0+): without it a context that saw an error is freed instead of reused.
        public readonly delegate* unmanaged<nint, void> ResetDecompressionContext;

        private readonly NativeContextPool _contexts = new(NativeContextPool.DefaultCapacity);

        private Native(nint lib)
        {
            CompressFrameBound = (delegate* unmanaged<nuint, Preferences*, nuint>)NativeLibraries.Export(lib, "LZ4F_compressFrameBound");
            CompressFrame = (delegate* unmanaged<byte*, nuint, byte*, nuint, Preferences*, nuint>)NativeLibraries.Export(lib, "LZ4F_compressFrame");
            CreateDecompressionContext = (delegate* unmanaged<nint*, uint, nuint>)NativeLibraries.Export(lib, "LZ4F_createDecompressionContext");
            FreeDecompressionContext = (delegate* unmanaged<nint, nuint>)NativeLibraries.Export(lib, "LZ4F_freeDecompressionContext");
            Decompress = (delegate* unmanaged<nint, byte*, nuint*, byte*, nuint*, void*, nuint>)NativeLibraries.Export(lib, "LZ4F_decompress");
            IsError = (delegate* unmanaged<nuint, uint>)NativeLibraries.Export(lib, "LZ4F_isError");
            GetErrorName = (delegate* unmanaged<nuint, nint>)NativeLibraries.Export(lib, "LZ4F_getErrorName");
            GetVersion = (delegate* unmanaged<uint>)NativeLibraries.Export(lib, "LZ4F_getVersion");
            VersionNumber = (delegate* unmanaged<int>)NativeLibraries.Export(lib, "LZ4_versionNumber");
            ResetDecompressionContext = (delegate* unmanaged<nint, void>)NativeLibraries.Export(lib, "LZ4F_resetDecompressionContext");
        }

        // LZ4F_getVersion is the frame API's version: another value would mean the structs above no longer match.
        private bool Complete =>
            CompressFrameBound != null && CompressFrame != null && CreateDecompressionContext != null &&
            FreeDecompressionContext != null && Decompress != null && IsError != null && GetErrorName != null &&
            GetVersion != null && GetVersion() == Lz4FVersion && VersionNumber != null;

        /// <summary>Loads the first library of <paramref name="names"/> that has every required export; null when none does.</summary>
        internal static Native? TryLoad(string[] names)
        {
            nint lib = NativeLibraries.TryLoad(names);
            if (lib == 0) return null;
            var native = new Native(lib);
            if (native.Complete) return native;
            NativeLibrary.Free(lib);
            return null;
        }

        /// <summary>The frame API version (LZ4F_getVersion), 100 for every liblz4 this code supports.</summary>
        public uint FrameApiVersion => GetVersion();

        /// <summary>The library's version (LZ4_versionNumber), e.g. 10904 for 1.9.4.</summary>
        public int Version => VersionNumber();

        public string ErrorName(nuint code) => NativeLibraries.ErrorString(GetErrorName(code)) ?? $"LZ4F error {code}";

        public nint RentDecompressionContext()
        {
            nint context = _contexts.TryRent();
            if (context != 0) return context;
            nuint result = CreateDecompressionContext(&context, Lz4FVersion);
            if (IsError(result) != 0 || context == 0)
                throw new OutOfMemoryException($"LZ4F_createDecompressionContext failed: {ErrorName(result)}");
            return context;
        }

        /// <summary>Pools <paramref name="context"/>; one left mid-frame by an error is reset first, or freed.</summary>
        public void ReturnDecompressionContext(nint context, bool clean)
        {
            if (!clean)
            {
                if (ResetDecompressionContext == null)
                {
                    FreeDecompressionContext(context);
                    return;
                }
                ResetDecompressionContext(context);
            }
            if (!_contexts.TryReturn(context)) FreeDecompressionContext(context);
        }
    }
}
