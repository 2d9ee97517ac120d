namespace KafkaNative;

/// <summary>
/// SASL credentials. <see cref="ToString"/> never shows the password, and neither do the client's
/// logs or exception messages.
/// </summary>
public sealed class KafkaSaslOptions
{
    /// <summary>The mechanism to authenticate with.</summary>
    public SaslMechanism Mechanism { get; set; } = SaslMechanism.ScramSha512;

    /// <summary>The user name.</summary>
    public string Username { get; set; } = "";

    /// <summary>The password. Kept out of logs and exception messages.</summary>
    public string Password { get; set; } = "";

    /// <summary>The mechanism name as Kafka spells it, for example <c>SCRAM-SHA-256</c>.</summary>
    public string MechanismName => Mechanism switch
    {
        SaslMechanism.Plain => "PLAIN",
        SaslMechanism.ScramSha256 => "SCRAM-SHA-256",
        SaslMechanism.ScramSha512 => "SCRAM-SHA-512",
        _ => throw new ArgumentOutOfRangeException(nameof(Mechanism), Mechanism, "Unknown SASL mechanism."),
    };

    /// <summary>Describes the settings without the password.</summary>
    public override string ToString() => $"SASL {MechanismName} as '{Username}' (password hidden)";

    internal void Validate()
    {
        if (!Enum.IsDefined(Mechanism))
            throw new ArgumentException($"Sasl.Mechanism {(int)Mechanism} is not a known mechanism.", nameof(Mechanism));
        if (string.IsNullOrEmpty(Username))
            throw new ArgumentException("Sasl.Username must not be empty.", nameof(Username));
        if (string.IsNullOrEmpty(Password))
            throw new ArgumentException("Sasl.Password must not be empty.", nameof(Password));
        if (Mechanism == SaslMechanism.Plain && (Username.Contains('\0') || Password.Contains('\0')))
            throw new ArgumentException("SASL PLAIN user names and passwords cannot contain NUL characters.", nameof(Password));
    }
}
