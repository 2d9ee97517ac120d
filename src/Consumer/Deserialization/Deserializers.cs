using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace KafkaNative;

/// <summary>The deserializers that come with the library.</summary>
public static class Deserializers
{
    /// <summary>UTF-8 strings; null stays null, empty is "".</summary>
    public static IDeserializer<string?> Utf8 { get; } = new Utf8Deserializer();

    /// <summary>Copies of the bytes; null stays null.</summary>
    public static IDeserializer<byte[]?> ByteArray { get; } = new ByteArrayDeserializer();

    /// <summary>
    /// Copies of the bytes as memory (the fetch buffer is pooled, so the bytes cannot be handed out
    /// as they are); null becomes empty memory.
    /// </summary>
    public static IDeserializer<ReadOnlyMemory<byte>> Memory { get; } = new MemoryDeserializer();

    /// <summary>Big-endian 32-bit integers (the Java client's IntegerSerializer); null becomes 0, another length than 4 is an error.</summary>
    public static IDeserializer<int> Int32 { get; } = new Int32Deserializer();

    /// <summary>Big-endian 64-bit integers (the Java client's LongSerializer); null becomes 0, another length than 8 is an error.</summary>
    public static IDeserializer<long> Int64 { get; } = new Int64Deserializer();

    /// <summary>Ignores the bytes and returns null; for keys or values the application does not need.</summary>
    public static IDeserializer<object?> Ignore { get; } = new IgnoreDeserializer();

    /// <summary>System.Text.Json from UTF-8 with source-generated metadata (safe for trimming and NativeAOT); null becomes <c>default</c>.</summary>
    /// <param name="typeInfo">The type's metadata, e.g. <c>MyJsonContext.Default.Order</c> from a <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>.</param>
    /// <exception cref="JsonException">(When deserializing) the data is not valid JSON for <typeparamref name="T"/>.</exception>
    /// <typeparam name="T">The type deserialized.</typeparam>
    public static IDeserializer<T?> Json<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new JsonDeserializer<T>(data => JsonSerializer.Deserialize(data, typeInfo));
    }

    /// <summary>System.Text.Json from UTF-8 by reflection; null becomes <c>default</c>. Trimmed and NativeAOT applications pass a <see cref="JsonTypeInfo{T}"/> instead.</summary>
    /// <param name="options">Serializer options, or null for the defaults.</param>
    /// <exception cref="JsonException">(When deserializing) the data is not valid JSON for <typeparamref name="T"/>.</exception>
    /// <typeparam name="T">The type deserialized.</typeparam>
    [RequiresUnreferencedCode("Reflection-based JSON; use the JsonTypeInfo<T> overload in trimmed applications.")]
    [RequiresDynamicCode("Reflection-based JSON; use the JsonTypeInfo<T> overload in NativeAOT applications.")]
    public static IDeserializer<T?> Json<T>(JsonSerializerOptions? options = null) =>
        new JsonDeserializer<T>(data => JsonSerializer.Deserialize<T>(data, options));

    /// <summary>The built-in deserializer for <typeparamref name="T"/>, or null when there is none.</summary>
    /// <typeparam name="T">The type deserialized.</typeparam>
    public static IDeserializer<T>? DefaultFor<T>() => (typeof(T) switch
    {
        var t when t == typeof(string) => (object)Utf8,
        var t when t == typeof(byte[]) => ByteArray,
        var t when t == typeof(ReadOnlyMemory<byte>) => Memory,
        var t when t == typeof(int) => Int32,
        var t when t == typeof(long) => Int64,
        var t when t == typeof(object) => Ignore,
        _ => null,
    }) as IDeserializer<T>;

    private sealed class Utf8Deserializer : IDeserializer<string?>
    {
        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context) =>
            isNull ? null : data.IsEmpty ? string.Empty : Encoding.UTF8.GetString(data);
    }

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]?>
    {
        public byte[]? Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context) =>
            isNull ? null : data.ToArray();
    }

    private sealed class MemoryDeserializer : IDeserializer<ReadOnlyMemory<byte>>
    {
        public ReadOnlyMemory<byte> Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context) =>
            isNull || data.IsEmpty ? ReadOnlyMemory<byte>.Empty : data.ToArray();
    }

    private sealed class Int32Deserializer : IDeserializer<int>
    {
        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context)
        {
            if (isNull) return 0;
            if (data.Length != 4) throw new FormatException($"An Int32 {Part(context)} needs 4 bytes; it has {data.Length}.");
            return BinaryPrimitives.ReadInt32BigEndian(data);
        }
    }

    private sealed class Int64Deserializer : IDeserializer<long>
    {
        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context)
        {
            if (isNull) return 0;
            if (data.Length != 8) throw new FormatException($"An Int64 {Part(context)} needs 8 bytes; it has {data.Length}.");
            return BinaryPrimitives.ReadInt64BigEndian(data);
        }
    }

    private sealed class IgnoreDeserializer : IDeserializer<object?>
    {
        public object? Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context) => null;
    }

    private delegate T? JsonRead<T>(ReadOnlySpan<byte> data);

    private sealed class JsonDeserializer<T>(JsonRead<T> read) : IDeserializer<T?>
    {
        public T? Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context) =>
            isNull ? default : read(data);
    }

    private static string Part(in DeserializationContext context) => context.IsKey ? "key" : "value";
}
