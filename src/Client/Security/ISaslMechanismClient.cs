namespace KafkaNative.Client.Security;

/// <summary>The client side of one SASL mechanism exchange.</summary>
internal interface ISaslMechanismClient
{
    /// <summary>True once the exchange finished successfully.</summary>
    bool IsComplete { get; }

    /// <summary>The first message the client sends.</summary>
    byte[] InitialResponse();

    /// <summary>Handles the broker's message and returns the next one to send, or null when the exchange is complete.</summary>
    /// <exception cref="KafkaAuthenticationException">The broker's message is invalid or fails verification.</exception>
    byte[]? EvaluateChallenge(ReadOnlySpan<byte> challenge);
}
