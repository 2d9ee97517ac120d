using System.Text;
using KafkaNative.Client;
using KafkaNative.Client.Security;
using KafkaNative.Fuzz.Engine;
using KafkaNative.Sim.Sasl;

namespace KafkaNative.Fuzz.Targets;

/// <summary>
/// The SASL parsers on both sides. Input: one byte choosing the mechanism, then up to two messages
/// separated by a newline. "scram-client" feeds a broker's server-first and server-final messages to
/// our SCRAM client (which refuses with <see cref="KafkaAuthenticationException"/>); "sasl-server" feeds
/// a client's messages to the Sim's PLAIN/SCRAM server, which answers errors and never throws.
/// </summary>
internal static class SaslTargets
{
    private const string User = "alice";
    private const string Password = "alice-secret";
    private const string ClientNonce = "fuzz-client-nonce";

    /// <summary>Stands for the server's nonce in a sasl-server input, which the harness cannot know in advance.</summary>
    private const string NoncePlaceholder = "@NONCE@";

    private static readonly SaslMechanism[] ScramMechanisms = [SaslMechanism.ScramSha256, SaslMechanism.ScramSha512];
    private static readonly string[] ServerMechanisms = [SaslCredentials.Plain, SaslCredentials.ScramSha256, SaslCredentials.ScramSha512];
    private static readonly Lazy<SaslCredentials> Credentials = new(() => new SaslCredentials(new Dictionary<string, string> { [User] = Password }));

    public static IEnumerable<FuzzTarget> All() =>
    [
        new("scram-client", ScramClient, ScramClientSeeds, e => e is KafkaAuthenticationException),
        new("sasl-server", SaslServer, SaslServerSeeds),
    ];

    private static bool ScramClient(byte[] input)
    {
        if (input.Length == 0) return false;
        var client = new ScramSaslClient(ScramMechanisms[input[0] % 2], User, Password, ClientNonce);
        client.InitialResponse();
        (byte[] serverFirst, byte[]? serverFinal) = Split(input);
        if (client.EvaluateChallenge(serverFirst) is not null && serverFinal is not null) client.EvaluateChallenge(serverFinal);
        return true;
    }

    private static bool SaslServer(byte[] input)
    {
        if (input.Length == 0) return false;
        var session = new SaslSession(Credentials.Value, lifetimeMs: 0);
        session.Handshake(ServerMechanisms[input[0] % 3], version: 1);
        (byte[] first, byte[]? final) = Split(input);
        var (error, _, response, _) = session.Authenticate(first);
        if (error != Protocol.ErrorCode.None || final is null) return error == Protocol.ErrorCode.None;
        string serverNonce = ServerNonce(Encoding.UTF8.GetString(response));
        return session.Authenticate(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(final).Replace(NoncePlaceholder, serverNonce, StringComparison.Ordinal))).Error == Protocol.ErrorCode.None;
    }

    private static string ServerNonce(string serverFirst) =>
        serverFirst.Split(',').FirstOrDefault(p => p.StartsWith("r=", StringComparison.Ordinal))?[2..] ?? "";

    private static (byte[] First, byte[]? Final) Split(byte[] input)
    {
        int newline = Array.IndexOf(input, (byte)'\n', 1);
        return newline < 0 ? (input[1..], null) : (input[1..newline], input[(newline + 1)..]);
    }

    /// <summary>Real exchanges between our client and the Sim's server, one per SCRAM mechanism.</summary>
    private static IEnumerable<(int Selector, byte[] ClientFirst, byte[] ServerFirst, byte[] ClientFinal, byte[] ServerFinal)> Exchanges()
    {
        for (int i = 0; i < ScramMechanisms.Length; i++)
        {
            var client = new ScramSaslClient(ScramMechanisms[i], User, Password, ClientNonce);
            var session = new SaslSession(Credentials.Value, lifetimeMs: 0);
            session.Handshake(ServerMechanisms[i + 1], version: 1);
            byte[] clientFirst = client.InitialResponse();
            byte[] serverFirst = session.Authenticate(clientFirst).Response;
            byte[] clientFinal = client.EvaluateChallenge(serverFirst)!;
            byte[] serverFinal = session.Authenticate(clientFinal).Response;
            yield return (i, clientFirst, serverFirst, clientFinal, serverFinal);
        }
    }

    private static IEnumerable<byte[]> ScramClientSeeds() =>
        Exchanges().SelectMany(e => new byte[][] { [(byte)e.Selector, .. e.ServerFirst, (byte)'\n', .. e.ServerFinal], [(byte)e.Selector, .. "e=invalid-proof"u8] });

    private static IEnumerable<byte[]> SaslServerSeeds()
    {
        yield return [0, .. "\0alice\0alice-secret"u8];
        foreach (var e in Exchanges())
        {
            string final = Encoding.UTF8.GetString(e.ClientFinal).Replace(ServerNonce(Encoding.UTF8.GetString(e.ServerFirst)), NoncePlaceholder, StringComparison.Ordinal);
            // The Sim salts afresh per credential set, so a replayed proof is wrong: the seed still walks the whole parse.
            yield return [(byte)(e.Selector + 1), .. e.ClientFirst, (byte)'\n', .. Encoding.UTF8.GetBytes(final)];
        }
    }
}
