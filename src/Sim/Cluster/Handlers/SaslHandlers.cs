using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Sasl;

namespace KafkaNative.Sim.Handlers;

/// <summary>SaslHandshake: picks the mechanism for the session. Answered by the session itself.</summary>
internal static class SaslHandshakeHandler
{
    public static SaslHandshakeResponse Handle(SaslSession? session, SaslHandshakeRequest request, short version)
    {
        if (session is null)
            return new SaslHandshakeResponse { ErrorCode = (short)ErrorCode.IllegalSaslState, Mechanisms = [] };
        ErrorCode error = session.Handshake(request.Mechanism, version);
        return new SaslHandshakeResponse { ErrorCode = (short)error, Mechanisms = SaslCredentials.Mechanisms.ToList() };
    }

    public static SaslHandshakeResponse Error(SaslHandshakeRequest request, ErrorCode error, short version) =>
        new() { ErrorCode = (short)error, Mechanisms = SaslCredentials.Mechanisms.ToList() };
}

/// <summary>SaslAuthenticate: one round of the chosen mechanism. Failures close the session after the response, as Kafka does.</summary>
internal static class SaslAuthenticateHandler
{
    public static (SaslAuthenticateResponse Response, bool Close) Handle(SaslSession? session, SaslAuthenticateRequest request, short version)
    {
        if (session is null)
            return (new SaslAuthenticateResponse { ErrorCode = (short)ErrorCode.IllegalSaslState, ErrorMessage = "SASL is not enabled on this listener", AuthBytes = ReadOnlyMemory<byte>.Empty }, true);
        (ErrorCode error, string? message, byte[] bytes, long lifetime) = session.Authenticate(request.AuthBytes.Span);
        var response = new SaslAuthenticateResponse
        {
            ErrorCode = (short)error,
            ErrorMessage = message,
            AuthBytes = bytes,
            SessionLifetimeMs = version >= 1 ? lifetime : 0,
        };
        return (response, error != ErrorCode.None);
    }

    public static SaslAuthenticateResponse Error(SaslAuthenticateRequest request, ErrorCode error, short version) =>
        new() { ErrorCode = (short)error, AuthBytes = ReadOnlyMemory<byte>.Empty };
}
