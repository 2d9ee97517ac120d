namespace KafkaNative.Protocol.Records;

/// <summary>
/// Turns a position in the bytes being decoded into a <see cref="KafkaProtocolException"/> with the
/// offset in the caller's input. Decompressed bytes have no input offset: errors there name the
/// compressed batch's offset and the position inside the decompressed bytes.
/// </summary>
internal readonly struct RecordErrorContext(long baseOffset, bool decompressed)
{
    public KafkaProtocolException Error(string message, string field, int position) =>
        decompressed
            ? new KafkaProtocolException($"{message} (byte {position} of the decompressed records)", field, baseOffset)
            : new KafkaProtocolException(message, field, baseOffset + position);
}
