using System.Text;
using KafkaNative.Protocol;

namespace KafkaNative.Sim.Sasl;

/// <summary>
/// The SASL state of one client session: handshake, then authentication (PLAIN in one step, SCRAM in
/// two), then requests. Before authentication only ApiVersions and the SASL APIs pass. With a session
/// lifetime (KIP-368) the client must re-authenticate (handshake and authenticate again, same user and
/// mechanism) before it runs out, or the session closes on its next request.
/// </summary>
internal sealed class SaslSession(SaslCredentials credentials, long lifetimeMs)
{
    private string? _mechanism;
    private string? _principal;
    private ScramExchange? _scram;
    private bool _awaitingAuthenticate;
    private bool _rawTokens;
    private long _expiresAt = long.MaxValue;

    public bool IsAuthenticated => _principal is not null;

    /// <summary>After a v0 handshake the next frames are bare SASL tokens, not Kafka requests.</summary>
    public bool ExpectsRawTokens => _rawTokens && _awaitingAuthenticate;

    public bool Allows(ApiKey api, out string? refusal)
    {
        refusal = null;
        if (api is ApiKey.ApiVersions or ApiKey.SaslHandshake or ApiKey.SaslAuthenticate) return true;
        if (!IsAuthenticated)
        {
            refusal = $"{api} request before SASL authentication";
            return false;
        }
        if (Environment.TickCount64 > _expiresAt)
        {
            refusal = $"{api} request after the SASL session of {_principal} expired";
            return false;
        }
        return true;
    }

    public ErrorCode Handshake(string mechanism, short version)
    {
        if (!SaslCredentials.Mechanisms.Contains(mechanism)) return ErrorCode.UnsupportedSaslMechanism;
        if (_mechanism is not null && IsAuthenticated && mechanism != _mechanism) return ErrorCode.IllegalSaslState;
        _mechanism = mechanism;
        _scram = mechanism == SaslCredentials.Plain ? null : new ScramExchange(credentials, mechanism);
        _awaitingAuthenticate = true;
        _rawTokens = version == 0;
        return ErrorCode.None;
    }

    /// <summary>One SaslAuthenticate round: the error (None while the exchange goes on), a message, the bytes for the client, and the session lifetime on success.</summary>
    public (ErrorCode Error, string? Message, byte[] Response, long SessionLifetimeMs) Authenticate(ReadOnlySpan<byte> input)
    {
        if (!_awaitingAuthenticate) return (ErrorCode.IllegalSaslState, "SaslAuthenticate without a SaslHandshake", [], 0);
        string? user;
        byte[] response;
        if (_scram is null)
        {
            (user, string? error) = CheckPlain(input);
            if (user is null) return Failed(error!);
            response = [];
        }
        else
        {
            (byte[]? answer, string? error) = _scram.Step(input);
            if (answer is null) return Failed(error!);
            if (!_scram.IsComplete) return (ErrorCode.None, null, answer, 0);
            user = _scram.User;
            response = answer;
        }
        if (_principal is not null && user != _principal) return Failed($"Re-authentication as {user} on a session of {_principal}");
        _principal = user;
        _awaitingAuthenticate = false;
        _expiresAt = lifetimeMs > 0 ? Environment.TickCount64 + lifetimeMs : long.MaxValue;
        return (ErrorCode.None, null, response, lifetimeMs);
    }

    private (string? User, string? Error) CheckPlain(ReadOnlySpan<byte> input)
    {
        // message = [authzid] NUL authcid NUL passwd (RFC 4616)
        string[] parts = Encoding.UTF8.GetString(input).Split('\0');
        if (parts.Length != 3) return (null, "Invalid SASL/PLAIN response: expected 3 tokens");
        (string authzid, string user, string password) = (parts[0], parts[1], parts[2]);
        if (authzid.Length > 0 && authzid != user) return (null, "Authentication failed: Client requested an authorization id that is different from username");
        return credentials.CheckPassword(user, password) ? (user, null) : (null, "Authentication failed: Invalid username or password");
    }

    private (ErrorCode, string?, byte[], long) Failed(string message)
    {
        _awaitingAuthenticate = false;
        return (ErrorCode.SaslAuthenticationFailed, message, [], 0);
    }
}
