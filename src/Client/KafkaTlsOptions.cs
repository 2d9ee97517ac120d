using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace KafkaNative;

/// <summary>TLS settings for broker connections. Host name verification is on unless turned off.</summary>
public sealed class KafkaTlsOptions
{
    /// <summary>
    /// Certificates trusted as roots for the broker's chain, instead of the system store. Null or
    /// empty means the system trust store.
    /// </summary>
    public X509Certificate2Collection? CaCertificates { get; set; }

    /// <summary>Certificate (with private key) presented to brokers that require client authentication.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// Whether the broker's certificate must match the host name the client connected to. Turning
    /// it off allows man-in-the-middle attacks; keep it on outside tests.
    /// </summary>
    public bool VerifyHostName { get; set; } = true;

    /// <summary>Whether to check certificate revocation (needs network access to CRL or OCSP endpoints).</summary>
    public bool CheckCertificateRevocation { get; set; }

    /// <summary>Allowed protocol versions; <see cref="SslProtocols.None"/> lets the operating system choose.</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.None;

    internal void Validate()
    {
        if (ClientCertificate is { HasPrivateKey: false })
            throw new ArgumentException("Tls.ClientCertificate has no private key, so it cannot authenticate the client.", nameof(ClientCertificate));
    }
}
