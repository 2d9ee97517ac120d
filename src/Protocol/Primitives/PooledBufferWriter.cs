using System.Buffers;

namespace KafkaNative.Protocol.Primitives;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over one contiguous array rented from
/// <see cref="ArrayPool{T}.Shared"/>. Contiguity lets framing code patch a length prefix
/// after the body is written. Dispose returns the array to the pool.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    /// <summary>Creates a writer whose first array holds at least <paramref name="initialCapacity"/> bytes.</summary>
    public PooledBufferWriter(int initialCapacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    /// <summary>Number of bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The bytes written so far, valid until the next write, <see cref="Clear"/> or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Writable view of bytes already written, for patching length prefixes and checksums.</summary>
    public Span<byte> WrittenSpanForPatching => _buffer.AsSpan(0, _written);

    /// <summary>Forgets what was written and keeps the array for reuse.</summary>
    public void Clear() => _written = 0;

    /// <inheritdoc />
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
            throw new ArgumentOutOfRangeException(nameof(count), "Advanced past the end of the buffer.");
        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_written));
        _written += bytes.Length;
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_buffer.Length - _written >= sizeHint) return;

        long needed = (long)_written + sizeHint;
        long grown = Math.Max(needed, (long)_buffer.Length * 2);
        if (grown > Array.MaxLength)
        {
            if (needed > Array.MaxLength)
                throw new InsufficientMemoryException($"A buffer of {needed} bytes is larger than the largest array.");
            grown = Array.MaxLength;
        }

        byte[] next = ArrayPool<byte>.Shared.Rent((int)grown);
        _buffer.AsSpan(0, _written).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
