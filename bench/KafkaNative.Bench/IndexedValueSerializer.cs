using System.Buffers;

namespace KafkaNative.Bench;

/// <summary>
/// Writes the bench value for an index straight into the producer's buffer, so no run holds its whole
/// payload in memory. Deliberately a copying <see cref="ISerializer{T}"/>, the path an application's own
/// serializer takes, not the zero-copy one that keeps references to caller memory.
/// </summary>
internal sealed class IndexedValueSerializer(int size) : ISerializer<int>
{
    public void Serialize(int index, IBufferWriter<byte> output)
    {
        BenchValues.Fill(output.GetSpan(size)[..size], index);
        output.Advance(size);
    }
}
