using System.Security.Cryptography;
using System.Text;

namespace KafkaNative.TestSupport;

/// <summary>The broker side of SASL PLAIN and SCRAM-SHA-256/512 (RFC 5802), for the fake broker.</summary>
public sealed class FakeSaslServer(string mechanism, IReadOnlyDictionary<string, string> users)
{
    private const int Iterations = 4096;
    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("fake-broker-salt");
    private string? _user;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;

    public bool Authenticated { get; private set; }

    /// <summary>Returns the reply, or null with <paramref name="error"/> set when authentication fails.</summary>
    public byte[]? Step(byte[] message, out string? error)
    {
        error = null;
        string text = Encoding.UTF8.GetString(message);
        if (mechanism == "PLAIN")
        {
            string[] parts = text.Split('\0');
            if (parts.Length == 3 && users.TryGetValue(parts[1], out string? password) && password == parts[2])
            {
                Authenticated = true;
                return [];
            }
            error = "Authentication failed: Invalid username or password";
            return null;
        }

        HashAlgorithmName hash = mechanism == "SCRAM-SHA-256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512;
        if (_clientFirstBare is null)
        {
            _clientFirstBare = text[3..];
            Dictionary<char, string> first = Parse(_clientFirstBare);
            _user = first['n'].Replace("=2C", ",").Replace("=3D", "=");
            _nonce = first['r'] + Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
            _serverFirst = $"r={_nonce},s={Convert.ToBase64String(Salt)},i={Iterations}";
            return Encoding.UTF8.GetBytes(_serverFirst);
        }

        Dictionary<char, string> final = Parse(text);
        string withoutProof = text[..text.IndexOf(",p=", StringComparison.Ordinal)];
        if (!users.TryGetValue(_user!, out string? expected) || final['r'] != _nonce)
        {
            error = $"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}";
            return null;
        }
        int size = hash == HashAlgorithmName.SHA256 ? 32 : 64;
        byte[] salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(expected), Salt, Iterations, hash, size);
        byte[] clientKey = Hmac(hash, salted, "Client Key");
        byte[] storedKey = hash == HashAlgorithmName.SHA256 ? SHA256.HashData(clientKey) : SHA512.HashData(clientKey);
        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        byte[] signature = Hmac(hash, storedKey, authMessage);
        byte[] proof = Convert.FromBase64String(final['p']);
        byte[] recoveredKey = proof.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        byte[] recoveredStored = hash == HashAlgorithmName.SHA256 ? SHA256.HashData(recoveredKey) : SHA512.HashData(recoveredKey);
        if (!recoveredStored.AsSpan().SequenceEqual(storedKey))
        {
            error = $"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}";
            return null;
        }
        Authenticated = true;
        byte[] serverSignature = Hmac(hash, Hmac(hash, salted, "Server Key"), authMessage);
        return Encoding.UTF8.GetBytes($"v={Convert.ToBase64String(serverSignature)}");
    }

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, string data) => Hmac(hash, key, Encoding.UTF8.GetBytes(data));

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, byte[] data) =>
        hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    private static Dictionary<char, string> Parse(string message) =>
        message.Split(',').Where(p => p.Length > 1 && p[1] == '=').GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[2..]);
}
