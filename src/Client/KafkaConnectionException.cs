using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// A broker could not be reached, or its connection closed before the response arrived. Retriable:
/// the request may have reached the broker, so only idempotent operations should be retried blindly.
/// </summary>
public sealed class KafkaConnectionException : KafkaErrorException
{
    /// <summary>Creates the exception.</summary>
    public KafkaConnectionException(string message, Exception? innerException = null)
        : base(ErrorCode.NetworkException, message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsRetriable => true;
}
