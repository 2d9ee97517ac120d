namespace KafkaNative.Protocol.Records;

/// <summary>The headers of a <see cref="Record"/>, enumerated without copying or allocating.</summary>
public readonly struct RecordHeaders
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly int _start;

    internal RecordHeaders(ReadOnlyMemory<byte> buffer, int start, int count)
    {
        _buffer = buffer;
        _start = start;
        Count = count;
    }

    /// <summary>Number of headers.</summary>
    public int Count { get; }

    /// <summary>Enumerates the headers in order.</summary>
    public RecordHeaderEnumerator GetEnumerator() => new(_buffer, _start, Count);
}
