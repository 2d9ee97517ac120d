using System.Security.Cryptography;
using System.Text;

namespace KafkaNative.Sim.Sasl;

/// <summary>
/// The server side of one SCRAM exchange (RFC 5802, RFC 7677): client-first → server-first,
/// client-final → server-final. Channel binding is not offered ("n" or "y" GS2 flags only).
/// </summary>
internal sealed class ScramExchange(SaslCredentials credentials, string mechanism)
{
    private string? _gs2Header;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;
    private ScramCredential? _credential;

    /// <summary>The authenticated user once the exchange succeeded.</summary>
    public string? User { get; private set; }

    public bool IsComplete { get; private set; }

    /// <summary>Takes the next client message; returns the server's answer, or an error message.</summary>
    public (byte[]? Response, string? Error) Step(ReadOnlySpan<byte> input)
    {
        string message;
        try
        {
            message = new UTF8Encoding(false, true).GetString(input);
        }
        catch (DecoderFallbackException)
        {
            return (null, "SCRAM message is not UTF-8");
        }
        return _serverFirst is null ? ClientFirst(message) : ClientFinal(message);
    }

    private (byte[]?, string?) ClientFirst(string message)
    {
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        int first = message.IndexOf(',');
        int second = first < 0 ? -1 : message.IndexOf(',', first + 1);
        if (second < 0) return (null, "Invalid SCRAM client first message");
        string flag = message[..first];
        if (flag is not ("n" or "y")) return (null, "SCRAM channel binding is not supported");
        _gs2Header = message[..(second + 1)];
        _clientFirstBare = message[(second + 1)..];
        Dictionary<char, string> attributes = Attributes(_clientFirstBare);
        if (!attributes.TryGetValue('n', out string? saslName) || !attributes.TryGetValue('r', out string? clientNonce) || clientNonce.Length == 0)
            return (null, "Invalid SCRAM client first message");
        string user = saslName.Replace("=2C", ",").Replace("=3D", "=");
        string authzid = message[(first + 1)..second];
        if (authzid.Length > 0 && authzid != "a=" + saslName)
            return (null, "Authentication failed: Client requested an authorization id that is different from username");
        _credential = credentials.Scram(mechanism, user);
        if (_credential is null) return (null, $"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}");
        User = user;
        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        return (Encoding.UTF8.GetBytes(_serverFirst), null);
    }

    private (byte[]?, string?) ClientFinal(string message)
    {
        if (IsComplete) return (null, "SCRAM exchange already complete");
        int proofStart = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofStart < 0) return (null, "Invalid SCRAM client final message");
        string withoutProof = message[..proofStart];
        Dictionary<char, string> attributes = Attributes(withoutProof);
        if (!attributes.TryGetValue('c', out string? binding) || binding != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header!)))
            return (null, "Invalid SCRAM channel binding");
        // Kafka only checks that the nonce ends with the one it sent; librdkafka 2.0 repeats the client part.
        if (!attributes.TryGetValue('r', out string? nonce) || !nonce.EndsWith(_nonce!, StringComparison.Ordinal)) return (null, "Invalid SCRAM nonce");
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(message[(proofStart + 3)..]);
        }
        catch (FormatException)
        {
            return (null, "Invalid SCRAM client proof");
        }
        ScramCredential credential = _credential!;
        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        byte[] clientSignature = credential.Hash.Hmac(credential.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length)
            return (null, $"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}");
        byte[] clientKey = new byte[proof.Length];
        for (int i = 0; i < clientKey.Length; i++) clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        if (!CryptographicOperations.FixedTimeEquals(credential.Hash.Hash(clientKey), credential.StoredKey))
            return (null, $"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}");
        IsComplete = true;
        byte[] serverSignature = credential.Hash.Hmac(credential.ServerKey, authMessage);
        return (Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)), null);
    }

    private static Dictionary<char, string> Attributes(string message)
    {
        var result = new Dictionary<char, string>();
        foreach (string part in message.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=') result.TryAdd(part[0], part[2..]);
        }
        return result;
    }
}
