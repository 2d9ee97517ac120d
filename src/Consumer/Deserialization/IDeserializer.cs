namespace KafkaNative;

/// <summary>Turns the bytes of a key or value into a <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The type produced.</typeparam>
/// <remarks>
/// The data given to <see cref="Deserialize"/> is a slice of a pooled fetch buffer: copy what
/// you keep, never hold on to the span. Throwing fails that one message: the consume loop reports a
/// <see cref="KafkaCorruptRecordException"/> carrying the raw bytes, and the next read continues after it
/// (or, with <see cref="CorruptRecordHandling.Skip"/>, the message is skipped).
/// </remarks>
public interface IDeserializer<out T>
{
    /// <summary>Deserializes one key or value.</summary>
    /// <param name="data">The bytes; empty when <paramref name="isNull"/>.</param>
    /// <param name="isNull">True for a null key or value (a tombstone), which is not the same as empty.</param>
    /// <param name="context">Where the bytes come from.</param>
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, in DeserializationContext context);
}

/// <summary>Where the bytes given to a deserializer come from.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="IsKey">True for a key, false for a value.</param>
public readonly record struct DeserializationContext(string Topic, int Partition, bool IsKey);
