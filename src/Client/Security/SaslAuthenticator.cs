using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Security;

/// <summary>
/// Runs SaslHandshake and SaslAuthenticate on a connection (KIP-43, KIP-152), at connect and again
/// for re-authentication (KIP-368). Messages name the mechanism, never the credentials.
/// </summary>
internal static class SaslAuthenticator
{
    /// <summary>Authenticates and returns the session lifetime the broker granted (zero: no limit).</summary>
    public static async Task<TimeSpan> AuthenticateAsync(BrokerConnection connection, KafkaSaslOptions sasl, bool direct, CancellationToken cancellationToken)
    {
        string mechanism = sasl.MechanismName;
        string broker = $"broker {connection.NodeId} at {connection.Endpoint}";
        short handshakeVersion = connection.Versions.Negotiate<SaslHandshakeRequest>();
        short authenticateVersion = connection.Versions.Negotiate<SaslAuthenticateRequest>();
        if (handshakeVersion < 1)
            throw new UnsupportedVersionException($"{broker} supports only SaslHandshake v0 (unframed SASL tokens), which this client does not implement.");

        SaslHandshakeResponse handshake = await connection.SendAtVersionAsync<SaslHandshakeRequest, SaslHandshakeResponse>(
            new SaslHandshakeRequest { Mechanism = mechanism }, handshakeVersion, direct, cancellationToken).ConfigureAwait(false);
        if (handshake.ErrorCode == (short)ErrorCode.UnsupportedSaslMechanism)
            throw new KafkaAuthenticationException($"SASL {mechanism} is not enabled on {broker}; it offers: {string.Join(", ", handshake.Mechanisms)}.");
        if (handshake.ErrorCode != 0)
            throw new KafkaAuthenticationException($"SASL handshake with {broker} failed: {((ErrorCode)handshake.ErrorCode).Name()}.");

        ISaslMechanismClient client = sasl.Mechanism == SaslMechanism.Plain
            ? new PlainSaslClient(sasl.Username, sasl.Password)
            : new ScramSaslClient(sasl.Mechanism, sasl.Username, sasl.Password);
        byte[]? token = client.InitialResponse();
        long lifetimeMs = 0;
        while (token is not null)
        {
            SaslAuthenticateResponse response = await connection.SendAtVersionAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(
                new SaslAuthenticateRequest { AuthBytes = token }, authenticateVersion, direct, cancellationToken).ConfigureAwait(false);
            if (response.ErrorCode != 0)
            {
                string detail = string.IsNullOrEmpty(response.ErrorMessage) ? ((ErrorCode)response.ErrorCode).Message() : response.ErrorMessage;
                throw new KafkaAuthenticationException($"SASL {mechanism} authentication with {broker} failed: {detail}");
            }
            lifetimeMs = response.SessionLifetimeMs;
            token = client.EvaluateChallenge(response.AuthBytes.Span);
        }
        if (!client.IsComplete)
            throw new KafkaAuthenticationException($"SASL {mechanism} authentication with {broker} ended before the exchange completed.");
        return TimeSpan.FromMilliseconds(Math.Max(lifetimeMs, 0));
    }
}
