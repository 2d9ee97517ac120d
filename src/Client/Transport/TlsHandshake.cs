using System.Net.Security;
using System.Security.Authentication;
using KafkaNative.Client.Security;

namespace KafkaNative.Client;

/// <summary>Wraps a connected stream in TLS and checks the broker's certificate.</summary>
internal static class TlsHandshake
{
    /// <summary>Returns the TLS stream, which owns <paramref name="inner"/>; on failure both are disposed.</summary>
    /// <exception cref="AuthenticationException">The handshake failed; the message says why the certificate was rejected, when it was.</exception>
    public static async ValueTask<Stream> AuthenticateAsync(Stream inner, BrokerEndpoint endpoint, KafkaTlsOptions tls, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var validator = new ServerCertificateValidator(tls);
        try
        {
            await ssl.AuthenticateAsClientAsync(validator.CreateOptions(endpoint.Host), cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException exception) when (validator.Failure is { } failure)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException(failure, exception);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
