using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// A failure described by a Kafka <see cref="Protocol.ErrorCode"/>: an error a broker returned, or a
/// client-side failure mapped onto the closest code (a lost connection is
/// <see cref="ErrorCode.NetworkException"/>, a timeout <see cref="ErrorCode.RequestTimedOut"/>).
/// </summary>
public class KafkaErrorException : KafkaException
{
    /// <summary>Creates the exception for <paramref name="errorCode"/>.</summary>
    public KafkaErrorException(ErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates the exception for an error a broker returned, with the broker's message when it sent one.</summary>
    public KafkaErrorException(ErrorCode errorCode, string context, string? brokerMessage)
        : this(errorCode, Describe(errorCode, context, brokerMessage))
    {
    }

    /// <summary>The Kafka error code.</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>True when retrying the operation may succeed (Kafka's retriable errors, lost connections, timeouts).</summary>
    public virtual bool IsRetriable => ErrorCode.IsRetriable();

    /// <summary>Throws a <see cref="KafkaErrorException"/> unless <paramref name="errorCode"/> is <see cref="ErrorCode.None"/>.</summary>
    public static void ThrowIfError(short errorCode, string context, string? brokerMessage = null)
    {
        if (errorCode != 0) throw new KafkaErrorException((ErrorCode)errorCode, context, brokerMessage);
    }

    private static string Describe(ErrorCode code, string context, string? brokerMessage) =>
        string.IsNullOrEmpty(brokerMessage)
            ? $"{context}: {code.Name()} ({(short)code}): {code.Message()}"
            : $"{context}: {code.Name()} ({(short)code}): {brokerMessage}";
}
