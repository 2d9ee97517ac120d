using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace KafkaNative.Client.Security;

/// <summary>
/// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) without channel binding, as Kafka uses them:
/// the password never crosses the wire, and the broker proves it knows the stored key too.
/// </summary>
internal sealed class ScramSaslClient : ISaslMechanismClient
{
    // Kafka refuses fewer than 4096 iterations; more than this would let a rogue broker burn our CPU.
    internal const int MinIterations = 4096;
    internal const int MaxIterations = 1_000_000;

    private readonly HashAlgorithmName _hash;
    private readonly string _username;
    private readonly string _password;
    private readonly string _clientNonce;
    private string? _clientFirstBare;
    private byte[]? _expectedServerSignature;

    public ScramSaslClient(SaslMechanism mechanism, string username, string password, string? clientNonce = null)
    {
        _hash = mechanism switch
        {
            SaslMechanism.ScramSha256 => HashAlgorithmName.SHA256,
            SaslMechanism.ScramSha512 => HashAlgorithmName.SHA512,
            _ => throw new ArgumentOutOfRangeException(nameof(mechanism), mechanism, "Not a SCRAM mechanism."),
        };
        _username = username;
        _password = password;
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
    }

    public bool IsComplete { get; private set; }

    public byte[] InitialResponse()
    {
        _clientFirstBare = $"n={EscapeName(_username)},r={_clientNonce}";
        return Encoding.UTF8.GetBytes("n,," + _clientFirstBare);
    }

    public byte[]? EvaluateChallenge(ReadOnlySpan<byte> challenge)
    {
        string message = Encoding.UTF8.GetString(challenge);
        if (_expectedServerSignature is null) return ClientFinal(message);
        VerifyServerFinal(message);
        IsComplete = true;
        return null;
    }

    private byte[] ClientFinal(string serverFirst)
    {
        if (_clientFirstBare is null) throw Invalid("a challenge arrived before the first client message");
        Dictionary<char, string> attributes = Parse(serverFirst);
        if (attributes.TryGetValue('e', out string? error)) throw new KafkaAuthenticationException($"SCRAM authentication failed: the broker reported '{error}'.");
        if (!attributes.TryGetValue('r', out string? nonce) || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length)
            throw Invalid("the server nonce does not extend the client nonce");
        if (!attributes.TryGetValue('s', out string? saltText) || !Base64.IsValid(saltText))
            throw Invalid("the salt is missing or not base64");
        if (!attributes.TryGetValue('i', out string? iterationText) || !int.TryParse(iterationText, out int iterations) || iterations is < MinIterations or > MaxIterations)
            throw Invalid($"the iteration count must be between {MinIterations} and {MaxIterations}");

        byte[] salt = Convert.FromBase64String(saltText);
        int hashSize = _hash == HashAlgorithmName.SHA256 ? 32 : 64;
        byte[] saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(_password), salt, iterations, _hash, hashSize);
        byte[] clientKey = Hmac(saltedPassword, "Client Key"u8);
        byte[] storedKey = Hash(clientKey);
        string clientFinalWithoutProof = $"c=biws,r={nonce}";
        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{clientFinalWithoutProof}");
        byte[] clientSignature = Hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.Length];
        for (int i = 0; i < proof.Length; i++) proof[i] = (byte)(clientKey[i] ^ clientSignature[i]);
        byte[] serverKey = Hmac(saltedPassword, "Server Key"u8);
        _expectedServerSignature = Hmac(serverKey, authMessage);
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);
        return Encoding.UTF8.GetBytes($"{clientFinalWithoutProof},p={Convert.ToBase64String(proof)}");
    }

    private void VerifyServerFinal(string serverFinal)
    {
        Dictionary<char, string> attributes = Parse(serverFinal);
        if (attributes.TryGetValue('e', out string? error)) throw new KafkaAuthenticationException($"SCRAM authentication failed: the broker reported '{error}'.");
        if (!attributes.TryGetValue('v', out string? verifier) || !Base64.IsValid(verifier))
            throw Invalid("the final message has no server signature");
        if (!CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(verifier), _expectedServerSignature))
            throw new KafkaAuthenticationException("SCRAM authentication failed: the broker's signature is wrong, so it does not know the credentials.");
    }

    private byte[] Hmac(byte[] key, ReadOnlySpan<byte> data) =>
        _hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    private byte[] Hash(byte[] data) => _hash == HashAlgorithmName.SHA256 ? SHA256.HashData(data) : SHA512.HashData(data);

    // RFC 5802 saslname: ',' and '=' are escaped.
    private static string EscapeName(string name) => name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    private static Dictionary<char, string> Parse(string message)
    {
        var attributes = new Dictionary<char, string>();
        foreach (string part in message.Split(','))
        {
            if (part.Length < 2 || part[1] != '=') throw Invalid("a message attribute is malformed");
            attributes.TryAdd(part[0], part[2..]);
        }
        return attributes;
    }

    private static KafkaAuthenticationException Invalid(string reason) => new($"SCRAM authentication failed: the broker's message is invalid ({reason}).");
}
