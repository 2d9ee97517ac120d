using System.Buffers;

namespace KafkaNative;

/// <summary>Turns a key or value into bytes.</summary>
/// <typeparam name="T">The type serialized.</typeparam>
public interface ISerializer<in T>
{
    /// <summary>Writes <paramref name="value"/> (never null) into <paramref name="output"/>.</summary>
    void Serialize(T value, IBufferWriter<byte> output);
}

/// <summary>
/// A serializer whose values already are bytes: the producer uses them as they are, without a copy,
/// until they are appended to a batch. The caller must not change them before delivery.
/// </summary>
/// <typeparam name="T">The type serialized.</typeparam>
public interface IZeroCopySerializer<in T> : ISerializer<T>
{
    /// <summary>The bytes of <paramref name="value"/>.</summary>
    ReadOnlyMemory<byte> AsMemory(T value);
}
