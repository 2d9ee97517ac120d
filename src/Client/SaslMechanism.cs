namespace KafkaNative;

/// <summary>SASL mechanisms the client can authenticate with.</summary>
public enum SaslMechanism
{
    /// <summary>PLAIN (RFC 4616): the password is sent as is, so use it only over TLS.</summary>
    Plain,

    /// <summary>SCRAM-SHA-256 (RFC 5802, RFC 7677): the password never crosses the wire.</summary>
    ScramSha256,

    /// <summary>SCRAM-SHA-512: as SCRAM-SHA-256 with SHA-512.</summary>
    ScramSha512,
}
