using System.Security.Cryptography;
using System.Text;

namespace KafkaNative.Sim.Sasl;

/// <summary>
/// The cluster's SASL users: plain passwords for PLAIN, and for each SCRAM mechanism the salted
/// keys a SCRAM server keeps (RFC 5802 §3: salt, iteration count, StoredKey, ServerKey).
/// </summary>
internal sealed class SaslCredentials
{
    public const string Plain = "PLAIN";
    public const string ScramSha256 = "SCRAM-SHA-256";
    public const string ScramSha512 = "SCRAM-SHA-512";
    public const int ScramIterations = 4096;

    private readonly Dictionary<string, string> _passwords;
    private readonly Dictionary<(string Mechanism, string User), ScramCredential> _scram = new();

    public SaslCredentials(IReadOnlyDictionary<string, string> users)
    {
        _passwords = new Dictionary<string, string>(users, StringComparer.Ordinal);
        foreach ((string user, string password) in users)
        {
            foreach (string mechanism in new[] { ScramSha256, ScramSha512 })
            {
                _scram[(mechanism, user)] = ScramCredential.Create(ScramHash.For(mechanism), password, RandomNumberGenerator.GetBytes(16), ScramIterations);
            }
        }
    }

    public static IReadOnlyList<string> Mechanisms { get; } = [Plain, ScramSha256, ScramSha512];

    public bool CheckPassword(string user, string password) =>
        _passwords.TryGetValue(user, out string? expected) &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(password));

    public ScramCredential? Scram(string mechanism, string user) => _scram.GetValueOrDefault((mechanism, user));
}

/// <summary>The hash a SCRAM mechanism is built on.</summary>
internal sealed record ScramHash(HashAlgorithmName Name, int Length)
{
    public static ScramHash For(string mechanism) => mechanism switch
    {
        SaslCredentials.ScramSha256 => new ScramHash(HashAlgorithmName.SHA256, 32),
        SaslCredentials.ScramSha512 => new ScramHash(HashAlgorithmName.SHA512, 64),
        _ => throw new ArgumentException($"Not a SCRAM mechanism: {mechanism}", nameof(mechanism)),
    };

    public byte[] Hmac(byte[] key, byte[] data) => Name == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    public byte[] Hash(byte[] data) => Name == HashAlgorithmName.SHA256 ? SHA256.HashData(data) : SHA512.HashData(data);
}

/// <summary>What a SCRAM server stores for a user (never the password).</summary>
internal sealed record ScramCredential(ScramHash Hash, byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    public static ScramCredential Create(ScramHash hash, string password, byte[] salt, int iterations)
    {
        byte[] salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, hash.Name, hash.Length);
        byte[] clientKey = hash.Hmac(salted, "Client Key"u8.ToArray());
        return new ScramCredential(hash, salt, iterations, hash.Hash(clientKey), hash.Hmac(salted, "Server Key"u8.ToArray()));
    }
}
