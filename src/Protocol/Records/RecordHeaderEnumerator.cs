using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Records;

/// <summary>Enumerates record headers (already validated when the record was read).</summary>
public struct RecordHeaderEnumerator
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private int _position;
    private int _remaining;

    internal RecordHeaderEnumerator(ReadOnlyMemory<byte> buffer, int start, int count)
    {
        _buffer = buffer;
        _position = start;
        _remaining = count;
        Current = default;
    }

    /// <summary>The current header.</summary>
    public RecordHeaderView Current { get; private set; }

    /// <summary>Moves to the next header.</summary>
    public bool MoveNext()
    {
        if (_remaining <= 0) return false;
        ReadOnlySpan<byte> span = _buffer.Span;
        int keyLength = ReadVarInt(span, ref _position);
        ReadOnlyMemory<byte> key = _buffer.Slice(_position, keyLength);
        _position += keyLength;
        int valueLength = ReadVarInt(span, ref _position);
        ReadOnlyMemory<byte>? value = null;
        if (valueLength >= 0)
        {
            value = _buffer.Slice(_position, valueLength);
            _position += valueLength;
        }
        Current = new RecordHeaderView(key, value);
        _remaining--;
        return true;
    }

    private static int ReadVarInt(ReadOnlySpan<byte> span, ref int position)
    {
        int consumed = Varint.TryReadUnsigned(span[position..], out uint raw);
        if (consumed <= 0) throw new InvalidOperationException("Record headers changed after they were validated.");
        position += consumed;
        return Varint.ZigZagDecode(raw);
    }
}
