namespace KafkaNative;

/// <summary>
/// What a client does when it cannot get metadata from the brokers it knows (Kafka's <c>metadata.recovery.strategy</c>,
/// KIP-899 and KIP-1102); see <see cref="KafkaClientOptions.MetadataRecoveryStrategy"/>.
/// </summary>
public enum MetadataRecoveryStrategy
{
    /// <summary>Once it has metadata, the client asks only the brokers that metadata lists, and never the bootstrap servers again.</summary>
    None,

    /// <summary>
    /// The client bootstraps again (resolving the bootstrap servers' names anew) when every known broker failed, when no
    /// metadata came for <see cref="KafkaClientOptions.MetadataRecoveryRebootstrapTrigger"/>, or when a broker answers
    /// REBOOTSTRAP_REQUIRED; the metadata that answers replaces the broker set. The default, as in Kafka 4.0.
    /// </summary>
    Rebootstrap,
}
