using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace KafkaNative.Protocol.Compression;

/// <summary>Zstandard (KIP-110) through the system's libzstd.</summary>
internal static unsafe class ZstdCodec
{
    internal const string LibraryName = "libzstd.so.1";
    internal const string InstallHint = "Debian/Ubuntu: apt-get install -y libzstd1";

    /// <summary>Kafka's and libzstd's default level.</summary>
    internal const int DefaultLevel = 3;

    private const ulong ContentSizeUnknown = ulong.MaxValue;
    private const ulong ContentSizeError = ulong.MaxValue - 1;
    private const int ParamWindowLogMax = 100;  // ZSTD_d_windowLogMax
    private const int ResetSessionOnly = 1;     // ZSTD_reset_session_only
    // Allows every window the standard levels pick (up to 2^23 for level 19 streaming), whatever the cap.
    private const int MinWindowLogMax = 23;
    private const int MaxWindowLogMax = 27;     // libzstd's own default limit

    internal static readonly string[] LibraryNames =
        ["libzstd.so.1", "libzstd.so", "libzstd.1.dylib", "libzstd.dylib", "libzstd.dll", "zstd.dll"];

    private static readonly Lazy<Native?> s_native = new(() => Native.TryLoad(LibraryNames), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>libzstd, loaded on first use.</summary>
    internal static Native Api => s_native.Value ?? throw Unavailable();

    internal static CodecUnavailableException Unavailable() => new(CompressionType.Zstd, LibraryName, InstallHint);

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        Native api = Api;
        nuint bound = api.CompressBound((nuint)source.Length);
        if (api.IsError(bound) != 0 || bound > (nuint)Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(source), source.Length, "Input too large for one zstd frame.");

        Span<byte> output = destination.GetSpan((int)bound);
        nint context = api.RentCompressionContext();
        nuint written;
        try
        {
            byte empty = 0;
            fixed (byte* src = source)
            fixed (byte* dst = output)
            {
                written = api.CompressCCtx(context, dst, (nuint)output.Length, source.IsEmpty ? &empty : src, (nuint)source.Length, level ?? DefaultLevel);
            }
        }
        finally
        {
            api.ReturnCompressionContext(context);
        }
        if (api.IsError(written) != 0)
            throw new KafkaException($"zstd compression failed: {api.ErrorName(written)}");
        destination.Advance((int)written);
    }

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        if (source.Length < 4)
            throw CodecErrors.Corrupt(CompressionType.Zstd, $"{source.Length} bytes is shorter than a zstd frame", 0);
        Native api = Api;
        fixed (byte* input = source)
        {
            // A frame that states its size is checked against the cap before anything is decoded.
            ulong declared = api.GetFrameContentSize(input, (nuint)source.Length);
            if (declared == ContentSizeError)
                throw CodecErrors.Corrupt(CompressionType.Zstd, "not a zstd frame (bad magic number or truncated header)", 0);
            if (declared != ContentSizeUnknown && declared > (ulong)maxDecompressedBytes)
                throw CodecErrors.TooLarge(CompressionType.Zstd, maxDecompressedBytes);

            nint stream = api.RentDecompressionStream(WindowLogMax(maxDecompressedBytes));
            try
            {
                InBuffer inBuffer = new() { Src = input, Size = (nuint)source.Length };
                long produced = 0;
                while (true)
                {
                    Span<byte> output = OutputBudget.Next(destination, produced, maxDecompressedBytes);
                    nuint consumedBefore = inBuffer.Pos;
                    nuint result;
                    OutBuffer outBuffer;
                    fixed (byte* dst = output)
                    {
                        outBuffer = new OutBuffer { Dst = dst, Size = (nuint)output.Length };
                        result = api.DecompressStream(stream, &outBuffer, &inBuffer);
                    }
                    if (api.IsError(result) != 0)
                        throw CodecErrors.Corrupt(CompressionType.Zstd, api.ErrorName(result), (long)inBuffer.Pos);

                    if (outBuffer.Pos > 0)
                    {
                        if (produced + (long)outBuffer.Pos > maxDecompressedBytes)
                            throw CodecErrors.TooLarge(CompressionType.Zstd, maxDecompressedBytes);
                        destination.Advance((int)outBuffer.Pos);
                        produced += (long)outBuffer.Pos;
                    }

                    bool inputDone = inBuffer.Pos == inBuffer.Size;
                    if (result == 0)
                    {
                        // Frame decoded and flushed; more input means another frame follows.
                        if (inputDone) break;
                        continue;
                    }
                    if (inputDone && outBuffer.Pos < outBuffer.Size)
                        throw CodecErrors.Corrupt(CompressionType.Zstd, "the frame is truncated", (long)inBuffer.Pos);
                    if (inBuffer.Pos == consumedBefore && outBuffer.Pos == 0)
                        throw CodecErrors.Corrupt(CompressionType.Zstd, "the decoder made no progress", (long)inBuffer.Pos);
                }
            }
            finally
            {
                api.ReturnDecompressionStream(stream);
            }
        }
    }

    // Bounds the window libzstd will allocate for a frame without a content size: twice the cap rounded up
    // to a power of two, but never below what standard levels use nor above libzstd's default.
    private static int WindowLogMax(int maxDecompressedBytes) =>
        Math.Clamp(BitOperations.Log2((uint)Math.Max(maxDecompressedBytes, 1) - 1 | 1) + 2, MinWindowLogMax, MaxWindowLogMax);

    [StructLayout(LayoutKind.Sequential)]
    internal struct InBuffer
    {
        public byte* Src;
        public nuint Size;
        public nuint Pos;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct OutBuffer
    {
        public byte* Dst;
        public nuint Size;
        public nuint Pos;
    }

    /// <summary>Entry points of libzstd and pools of its contexts.</summary>
    internal sealed class Native
    {
        public readonly delegate* unmanaged<nuint, nuint> CompressBound;
        public readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int, nuint> CompressCCtx;
        public readonly delegate* unmanaged<nint> CreateCCtx;
        public readonly delegate* unmanaged<nint, nuint> FreeCCtx;
        public readonly delegate* unmanaged<uint> VersionNumber;
        public readonly delegate* unmanaged<nuint, uint> IsError;
        public readonly delegate* unmanaged<nuint, nint> GetErrorName;
        public readonly delegate* unmanaged<byte*, nuint, ulong> GetFrameContentSize;
        public readonly delegate* unmanaged<nint> CreateDStream;
        public readonly delegate* unmanaged<nint, nuint> FreeDStream;
        public readonly delegate* unmanaged<nint, OutBuffer*, InBuffer*, nuint> DecompressStream;
        public readonly delegate* unmanaged<nint, int, nuint> DCtxReset;
        public readonly delegate* unmanaged<nint, int, int, nuint> DCtxSetParameter;

        private readonly NativeContextPool _compressors = new(NativeContextPool.DefaultCapacity);
        private readonly NativeContextPool _decompressors = new(NativeContextPool.DefaultCapacity);

        private Native(nint lib)
        {
            CompressBound = (delegate* unmanaged<nuint, nuint>)NativeLibraries.Export(lib, "ZSTD_compressBound");
            CompressCCtx = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int, nuint>)NativeLibraries.Export(lib, "ZSTD_compressCCtx");
            CreateCCtx = (delegate* unmanaged<nint>)NativeLibraries.Export(lib, "ZSTD_createCCtx");
            FreeCCtx = (delegate* unmanaged<nint, nuint>)NativeLibraries.Export(lib, "ZSTD_freeCCtx");
            VersionNumber = (delegate* unmanaged<uint>)NativeLibraries.Export(lib, "ZSTD_versionNumber");
            IsError = (delegate* unmanaged<nuint, uint>)NativeLibraries.Export(lib, "ZSTD_isError");
            GetErrorName = (delegate* unmanaged<nuint, nint>)NativeLibraries.Export(lib, "ZSTD_getErrorName");
            GetFrameContentSize = (delegate* unmanaged<byte*, nuint, ulong>)NativeLibraries.Export(lib, "ZSTD_getFrameContentSize");
            CreateDStream = (delegate* unmanaged<nint>)NativeLibraries.Export(lib, "ZSTD_createDStream");
            FreeDStream = (delegate* unmanaged<nint, nuint>)NativeLibraries.Export(lib, "ZSTD_freeDStream");
            DecompressStream = (delegate* unmanaged<nint, OutBuffer*, InBuffer*, nuint>)NativeLibraries.Export(lib, "ZSTD_decompressStream");
            DCtxReset = (delegate* unmanaged<nint, int, nuint>)NativeLibraries.Export(lib, "ZSTD_DCtx_reset");
            DCtxSetParameter = (delegate* unmanaged<nint, int, int, nuint>)NativeLibraries.Export(lib, "ZSTD_DCtx_setParameter");
        }

        private bool Complete =>
            CompressBound != null && CompressCCtx != null && CreateCCtx != null && FreeCCtx != null && VersionNumber != null &&
            IsError != null && GetErrorName != null && GetFrameContentSize != null && CreateDStream != null &&
            FreeDStream != null && DecompressStream != null && DCtxReset != null && DCtxSetParameter != null;

        /// <summary>Loads the first library of <paramref name="names"/> that has every required export (libzstd 1.4+); null when none does.</summary>
        internal static Native? TryLoad(string[] names)
        {
            nint lib = NativeLibraries.TryLoad(names);
            if (lib == 0) return null;
            var native = new Native(lib);
            if (native.Complete) return native;
            NativeLibrary.Free(lib);
            return null;
        }

        /// <summary>The library's version as ZSTD_versionNumber reports it, e.g. 10504 for 1.5.4.</summary>
        public uint Version => VersionNumber();

        public string ErrorName(nuint code) => NativeLibraries.ErrorString(GetErrorName(code)) ?? $"zstd error {code}";

        public nint RentCompressionContext()
        {
            nint context = _compressors.TryRent();
            if (context == 0) context = CreateCCtx();
            if (context == 0) throw new OutOfMemoryException("ZSTD_createCCtx failed.");
            return context;
        }

        // ZSTD_compressCCtx starts every frame afresh, so a context is always fit to reuse.
        public void ReturnCompressionContext(nint context)
        {
            if (!_compressors.TryReturn(context)) FreeCCtx(context);
        }

        /// <summary>A stream ready for a new frame, with the window limited to <paramref name="windowLogMax"/>.</summary>
        public nint RentDecompressionStream(int windowLogMax)
        {
            nint stream = _decompressors.TryRent();
            if (stream == 0) stream = CreateDStream();
            if (stream == 0) throw new OutOfMemoryException("ZSTD_createDStream failed.");
            // Reset here rather than on return, so a stream abandoned mid-frame by an error is still clean.
            nuint result = DCtxReset(stream, ResetSessionOnly);
            if (IsError(result) == 0) result = DCtxSetParameter(stream, ParamWindowLogMax, windowLogMax);
            if (IsError(result) != 0)
            {
                FreeDStream(stream);
                throw new KafkaException($"zstd decompression setup failed: {ErrorName(result)}");
            }
            return stream;
        }

        public void ReturnDecompressionStream(nint stream)
        {
            if (!_decompressors.TryReturn(stream)) FreeDStream(stream);
        }
    }
}
