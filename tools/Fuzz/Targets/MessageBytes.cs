using KafkaNative.Protocol;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Fuzz.Targets;

/// <summary>Writes generated messages to bytes, for seeds.</summary>
internal static class MessageBytes
{
    public static byte[] Write(params (IKafkaMessage Message, short Version)[] parts)
    {
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        foreach ((IKafkaMessage message, short version) in parts) message.Write(ref writer, version);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A version byte the targets read first, followed by <paramref name="body"/>.</summary>
    public static byte[] WithVersionSelector(int selector, byte[] body) => [(byte)selector, .. body];

    /// <summary>The version a target reads from the input's first byte: the range, wrapped.</summary>
    public static short Version(byte selector, short lowest, short highest) => (short)(lowest + selector % (highest - lowest + 1));
}
