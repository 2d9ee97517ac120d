using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace KafkaNative.Client.Security;

/// <summary>
/// Checks a broker's certificate for one connection attempt and remembers why it was rejected, so
/// the handshake failure can say more than "the certificate was rejected".
/// </summary>
internal sealed class ServerCertificateValidator(KafkaTlsOptions options)
{
    /// <summary>Why the certificate was rejected, or null.</summary>
    public string? Failure { get; private set; }

    public SslClientAuthenticationOptions CreateOptions(string targetHost) => new()
    {
        TargetHost = targetHost,
        EnabledSslProtocols = options.EnabledProtocols,
        CertificateRevocationCheckMode = options.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
        ClientCertificates = options.ClientCertificate is null ? null : new X509CertificateCollection { options.ClientCertificate },
        RemoteCertificateValidationCallback = Validate,
    };

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!options.VerifyHostName) errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        if (certificate is null)
            return Reject("the broker sent no certificate");
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            return Reject("the certificate does not match the broker's host name");

        if (options.CaCertificates is not { Count: > 0 } ca)
            return errors == SslPolicyErrors.None || Reject($"the certificate chain is not trusted by the system store ({Describe(chain)})");

        // With a custom CA the chain is rebuilt against that CA alone; the system store does not vouch for the broker.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(ca);
        custom.ChainPolicy.RevocationMode = options.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf) || Reject($"the certificate chain does not lead to a configured CA certificate ({Describe(custom)})");
    }

    private bool Reject(string reason)
    {
        Failure = reason;
        return false;
    }

    private static string Describe(X509Chain? chain)
    {
        if (chain is null || chain.ChainStatus.Length == 0) return "no chain status";
        return string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
    }
}
