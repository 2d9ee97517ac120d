using System.Buffers;

namespace KafkaNative.Client;

/// <summary>
/// A response decoded without copying its byte fields: <see cref="ReadOnlyMemory{T}"/> fields (the
/// records of a FetchResponse, for example) are slices of a pooled buffer that this lease owns.
/// Dispose the lease once those slices are no longer needed; the buffer then goes back to the pool
/// and any slice still held reads someone else's data.
/// </summary>
/// <typeparam name="TResponse">The response type.</typeparam>
internal sealed class ResponseLease<TResponse> : IDisposable where TResponse : class
{
    private readonly TResponse _response;
    private byte[]? _buffer;

    internal ResponseLease(TResponse response, short version, byte[] buffer)
    {
        _response = response;
        Version = version;
        _buffer = buffer;
    }

    /// <summary>The decoded response; valid until <see cref="Dispose"/>.</summary>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public TResponse Response
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _buffer) is null, this);
            return _response;
        }
    }

    /// <summary>The version the response was decoded at (the version the request was sent at).</summary>
    public short Version { get; }

    /// <summary>Returns the buffer to the pool. Safe to call more than once.</summary>
    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }
}
