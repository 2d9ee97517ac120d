using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace KafkaNative;

/// <summary>The serializers that come with the library.</summary>
public static class Serializers
{
    /// <summary>UTF-8 strings.</summary>
    public static ISerializer<string> Utf8 { get; } = new Utf8Serializer();

    /// <summary>Byte arrays, used as they are.</summary>
    public static IZeroCopySerializer<byte[]> ByteArray { get; } = new ByteArraySerializer();

    /// <summary>Memory, used as it is.</summary>
    public static IZeroCopySerializer<ReadOnlyMemory<byte>> Memory { get; } = new MemorySerializer();

    /// <summary>32-bit integers, big-endian (as the Java client's IntegerSerializer).</summary>
    public static ISerializer<int> Int32 { get; } = new Int32Serializer();

    /// <summary>64-bit integers, big-endian (as the Java client's LongSerializer).</summary>
    public static ISerializer<long> Int64 { get; } = new Int64Serializer();

    /// <summary>System.Text.Json, UTF-8, with source-generated metadata: safe for trimming and NativeAOT.</summary>
    /// <param name="typeInfo">The type's metadata, e.g. <c>MyJsonContext.Default.Order</c> from a <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>.</param>
    /// <typeparam name="T">The type serialized.</typeparam>
    public static ISerializer<T> Json<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new JsonSerializer<T>((writer, value) => JsonSerializer.Serialize(writer, value, typeInfo));
    }

    /// <summary>System.Text.Json, UTF-8, by reflection. Trimmed and NativeAOT applications pass a <see cref="JsonTypeInfo{T}"/> instead.</summary>
    /// <param name="options">Serializer options, or null for the defaults.</param>
    /// <typeparam name="T">The type serialized.</typeparam>
    [RequiresUnreferencedCode("Reflection-based JSON; use the JsonTypeInfo<T> overload in trimmed applications.")]
    [RequiresDynamicCode("Reflection-based JSON; use the JsonTypeInfo<T> overload in NativeAOT applications.")]
    public static ISerializer<T> Json<T>(JsonSerializerOptions? options = null) =>
        new JsonSerializer<T>((writer, value) => JsonSerializer.Serialize(writer, value, options));

    /// <summary>The built-in serializer for <typeparamref name="T"/>, or null when there is none.</summary>
    public static ISerializer<T>? DefaultFor<T>() => (typeof(T) switch
    {
        var t when t == typeof(string) => (object)Utf8,
        var t when t == typeof(byte[]) => ByteArray,
        var t when t == typeof(ReadOnlyMemory<byte>) => Memory,
        var t when t == typeof(int) => Int32,
        var t when t == typeof(long) => Int64,
        _ => null,
    }) as ISerializer<T>;

    private sealed class Utf8Serializer : ISerializer<string>
    {
        public void Serialize(string value, IBufferWriter<byte> output) => Encoding.UTF8.GetBytes(value, output);
    }

    private sealed class ByteArraySerializer : IZeroCopySerializer<byte[]>
    {
        public ReadOnlyMemory<byte> AsMemory(byte[] value) => value;
        public void Serialize(byte[] value, IBufferWriter<byte> output) => output.Write(value);
    }

    private sealed class MemorySerializer : IZeroCopySerializer<ReadOnlyMemory<byte>>
    {
        public ReadOnlyMemory<byte> AsMemory(ReadOnlyMemory<byte> value) => value;
        public void Serialize(ReadOnlyMemory<byte> value, IBufferWriter<byte> output) => output.Write(value.Span);
    }

    private sealed class Int32Serializer : ISerializer<int>
    {
        public void Serialize(int value, IBufferWriter<byte> output)
        {
            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
            output.Advance(4);
        }
    }

    private sealed class Int64Serializer : ISerializer<long>
    {
        public void Serialize(long value, IBufferWriter<byte> output)
        {
            BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), value);
            output.Advance(8);
        }
    }

    private sealed class JsonSerializer<T>(Action<Utf8JsonWriter, T> write) : ISerializer<T>
    {
        [ThreadStatic] private static Utf8JsonWriter? t_writer;

        public void Serialize(T value, IBufferWriter<byte> output)
        {
            Utf8JsonWriter writer = t_writer ??= new Utf8JsonWriter(output);
            writer.Reset(output);
            write(writer, value);
            writer.Flush();
        }
    }
}
