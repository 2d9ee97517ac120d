namespace KafkaNative;

/// <summary>Base type of every exception KafkaNative throws on purpose.</summary>
public class KafkaException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public KafkaException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public KafkaException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// Input that does not follow the Kafka wire protocol: truncated frames, impossible lengths,
/// over-long varints, bad checksums. Names the field and the byte offset where decoding stopped.
/// </summary>
public class KafkaProtocolException : KafkaException
{
    /// <summary>Creates a protocol exception for <paramref name="field"/> at <paramref name="offset"/>.</summary>
    public KafkaProtocolException(string message, string? field = null, long offset = -1, Exception? innerException = null)
        : base(Describe(message, field, offset), innerException)
    {
        Field = field;
        Offset = offset;
    }

    /// <summary>The field being decoded, when known.</summary>
    public string? Field { get; }

    /// <summary>Byte offset in the input where the problem was found, or -1 when unknown.</summary>
    public long Offset { get; }

    private static string Describe(string message, string? field, long offset) =>
        (field, offset) switch
        {
            (null, < 0) => message,
            (null, _) => $"{message} (at offset {offset})",
            (_, < 0) => $"{message} (field '{field}')",
            _ => $"{message} (field '{field}' at offset {offset})",
        };
}

/// <summary>A message version, API or feature that this side or the peer does not support.</summary>
public class UnsupportedVersionException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedVersionException(string message) : base(message) { }
}
