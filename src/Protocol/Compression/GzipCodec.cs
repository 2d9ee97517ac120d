using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace KafkaNative.Protocol.Compression;

/// <summary>gzip (RFC 1952) through the runtime's zlib.</summary>
internal static class GzipCodec
{
    /// <summary>zlib's default, and what Kafka's Java client uses when no level is configured.</summary>
    internal const int DefaultLevel = 6;

    /// <summary>A complete gzip member holding no data: header, an empty final deflate block, zero CRC and size.</summary>
    private static ReadOnlySpan<byte> EmptyMember =>
        [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int? level)
    {
        int zlibLevel = level is null or -1 ? DefaultLevel : level.Value;
        if (zlibLevel is < 0 or > 9)
            throw new ArgumentOutOfRangeException(nameof(level), level, "gzip levels are 0 to 9 (or -1 for the default).");

        if (source.IsEmpty)
        {
            // GZipStream writes nothing at all for empty input, which gzip readers reject.
            destination.Write(EmptyMember);
            return;
        }

        using var sink = new BufferWriterStream(destination);
        using (var gzip = new GZipStream(sink, new ZLibCompressionOptions { CompressionLevel = zlibLevel }, leaveOpen: true))
        {
            gzip.Write(source);
        }
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        // Header (10) plus trailer (8): anything shorter cannot be gzip, and UnmanagedMemoryStream rejects a null pointer.
        if (source.Length < 18)
            throw CodecErrors.Corrupt(CompressionType.Gzip, $"{source.Length} bytes is shorter than any gzip member");

        long produced = 0;
        fixed (byte* input = source)
        {
            using var stream = new UnmanagedMemoryStream(input, source.Length);
            using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            try
            {
                while (true)
                {
                    Span<byte> output = OutputBudget.Next(destination, produced, maxDecompressedBytes);
                    int read = gzip.Read(output);
                    if (read == 0) break;
                    if (produced + read > maxDecompressedBytes)
                        throw CodecErrors.TooLarge(CompressionType.Gzip, maxDecompressedBytes);
                    destination.Advance(read);
                    produced += read;
                }
            }
            catch (InvalidDataException e)
            {
                throw CodecErrors.Corrupt(CompressionType.Gzip, e.Message, stream.Position, e);
            }
        }

        // GZipStream reports a stream cut short as a clean end of data, without reading the trailer. zlib checks
        // the trailer (CRC-32 and size) when it does reach it, so the stream was complete if the last four bytes,
        // the size field of the last member, match what was decoded. Kafka clients write a single member.
        uint trailerSize = BinaryPrimitives.ReadUInt32LittleEndian(source[^4..]);
        if (trailerSize != (uint)produced)
            throw CodecErrors.Corrupt(CompressionType.Gzip,
                $"the stream is truncated: decoded {produced} bytes but the trailer records {trailerSize} (concatenated gzip members are not supported)",
                source.Length);
    }

    /// <summary>A write-only stream that appends to an <see cref="IBufferWriter{T}"/>, so GZipStream writes in place.</summary>
    private sealed class BufferWriterStream(IBufferWriter<byte> destination) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                Span<byte> span = destination.GetSpan(buffer.Length);
                int n = Math.Min(span.Length, buffer.Length);
                buffer[..n].CopyTo(span);
                destination.Advance(n);
                buffer = buffer[n..];
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void WriteByte(byte value) => Write([value]);
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
