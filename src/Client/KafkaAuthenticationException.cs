using KafkaNative.Protocol;

namespace KafkaNative;

/// <summary>
/// SASL or TLS authentication failed. Not retriable: the credentials or certificates must change.
/// The message never contains the password.
/// </summary>
public sealed class KafkaAuthenticationException : KafkaErrorException
{
    /// <summary>Creates the exception.</summary>
    public KafkaAuthenticationException(string message, Exception? innerException = null)
        : base(ErrorCode.SaslAuthenticationFailed, message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsRetriable => false;
}
