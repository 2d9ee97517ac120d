using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KafkaNative.Cli;

/// <summary>
/// The TLS and SASL part of <c>-X</c>, as librdkafka spells it, gathered over all the settings and applied
/// at the end: <c>security.protocol</c> decides whether TLS and SASL are on, and an <c>ssl.*</c> or
/// <c>sasl.*</c> setting without the protocol that uses it is a usage error rather than silently ignored.
/// </summary>
internal sealed class SecuritySettings
{
    private string _protocol = "plaintext";
    private SaslMechanism? _mechanism;
    private string? _username, _password, _caPath, _certificatePath, _keyPath;
    private bool? _verifyHostName;

    public static readonly (string Key, string Meaning)[] Known =
    [
        ("security.protocol", "plaintext|ssl|sasl_plaintext|sasl_ssl"),
        ("sasl.mechanism", "PLAIN|SCRAM-SHA-256|SCRAM-SHA-512 (alias sasl.mechanisms)"),
        ("sasl.mechanisms", "same as sasl.mechanism"),
        ("sasl.username", "SASL user"),
        ("sasl.password", "SASL password"),
        ("ssl.ca.location", "PEM file of the CA certificates to trust instead of the system store"),
        ("ssl.certificate.location", "PEM file of the client certificate (with ssl.key.location)"),
        ("ssl.key.location", "PEM file of the client certificate's key"),
        ("ssl.endpoint.identification.algorithm", "https (default) or none: whether the broker's certificate must name its host"),
    ];

    /// <summary>Takes <paramref name="key"/> when it is a security setting; false for any other key.</summary>
    public bool TrySet(string key, string value)
    {
        switch (key)
        {
            case "security.protocol":
                _protocol = value.ToLowerInvariant() is "plaintext" or "ssl" or "sasl_plaintext" or "sasl_ssl" ? value.ToLowerInvariant()
                    : throw new UsageException($"-X {key}: expected plaintext, ssl, sasl_plaintext or sasl_ssl, got '{value}'");
                return true;
            case "sasl.mechanism" or "sasl.mechanisms":
                _mechanism = value.ToUpperInvariant() switch
                {
                    "PLAIN" => SaslMechanism.Plain,
                    "SCRAM-SHA-256" => SaslMechanism.ScramSha256,
                    "SCRAM-SHA-512" => SaslMechanism.ScramSha512,
                    _ => throw new UsageException($"-X {key}: expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got '{value}'"),
                };
                return true;
            case "sasl.username": _username = value; return true;
            case "sasl.password": _password = value; return true;
            case "ssl.ca.location": _caPath = value; return true;
            case "ssl.certificate.location": _certificatePath = value; return true;
            case "ssl.key.location": _keyPath = value; return true;
            case "ssl.endpoint.identification.algorithm":
                _verifyHostName = value switch
                {
                    "https" => true,
                    "none" => false,
                    _ => throw new UsageException($"-X {key}: expected https or none, got '{value}'"),
                };
                return true;
            default:
                return false;
        }
    }

    /// <summary>Turns TLS and SASL on as the protocol says, with what the other settings gave.</summary>
    public void ApplyTo(KafkaClientOptions options)
    {
        bool tls = _protocol is "ssl" or "sasl_ssl", sasl = _protocol is "sasl_plaintext" or "sasl_ssl";
        if (!tls && (_caPath ?? _certificatePath ?? _keyPath) is not null || !tls && _verifyHostName is not null)
            throw new UsageException("-X ssl.* settings need -X security.protocol=ssl or sasl_ssl");
        if (!sasl && (_mechanism is not null || (_username ?? _password) is not null))
            throw new UsageException("-X sasl.* settings need -X security.protocol=sasl_plaintext or sasl_ssl");
        if (tls)
        {
            options.Tls = new KafkaTlsOptions { VerifyHostName = _verifyHostName ?? true };
            if (_caPath is not null) options.Tls.CaCertificates = LoadCa(_caPath);
            if (_certificatePath is null != _keyPath is null)
                throw new UsageException("-X ssl.certificate.location and -X ssl.key.location go together");
            if (_certificatePath is not null) options.Tls.ClientCertificate = LoadClientCertificate(_certificatePath, _keyPath!);
        }
        if (sasl)
        {
            if (string.IsNullOrEmpty(_username) || string.IsNullOrEmpty(_password))
                throw new UsageException($"-X security.protocol={_protocol} needs -X sasl.username and -X sasl.password");
            options.Sasl = new KafkaSaslOptions { Username = _username, Password = _password };
            if (_mechanism is { } mechanism) options.Sasl.Mechanism = mechanism;
        }
    }

    private static X509Certificate2Collection LoadCa(string path)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new UsageException($"-X ssl.ca.location: cannot read CA certificates from '{path}': {e.Message}");
        }
        return certificates.Count > 0 ? certificates : throw new UsageException($"-X ssl.ca.location: '{path}' holds no PEM certificate");
    }

    private static X509Certificate2 LoadClientCertificate(string certificatePath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new UsageException($"-X ssl.certificate.location: cannot load '{certificatePath}' with its key: {e.Message}");
        }
    }
}
