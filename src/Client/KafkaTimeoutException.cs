using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>A connection could not be set up within the connect timeout, or a response did not arrive within the request timeout. Retriable.</summary>
public sealed class KafkaTimeoutException : KafkaErrorException
{
    /// <summary>Creates the exception.</summary>
    public KafkaTimeoutException(string message, Exception? innerException = null)
        : base(ErrorCode.RequestTimedOut, message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsRetriable => true;
}
