using System.Text;

namespace KafkaNative.Client.Security;

/// <summary>SASL PLAIN (RFC 4616): one message carrying the user name and password.</summary>
internal sealed class PlainSaslClient(string username, string password) : ISaslMechanismClient
{
    public bool IsComplete { get; private set; }

    public byte[] InitialResponse() => Encoding.UTF8.GetBytes($"\0{username}\0{password}");

    public byte[]? EvaluateChallenge(ReadOnlySpan<byte> challenge)
    {
        IsComplete = true;
        return null;
    }
}
