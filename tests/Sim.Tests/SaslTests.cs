using System.Security.Cryptography;
using System.Text;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;

namespace KafkaNative.Sim.Tests;

public sealed class SaslTests : IAsyncLifetime
{
    private SimulatedCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await SimulatedCluster.StartAsync(Clusters.Options(brokers: 1) with
        {
            SaslUsers = new Dictionary<string, string> { ["alice"] = "alice-secret", ["bob,=x"] = "pässword" },
            SaslSessionLifetimeMs = 60_000,
        });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static async Task<SaslAuthenticateResponse> AuthenticateAsync(KafkaTestClient client, byte[] bytes) =>
        await client.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = bytes }, 2);

    private static async Task HandshakeAsync(KafkaTestClient client, string mechanism)
    {
        SaslHandshakeResponse handshake = await client.SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = mechanism }, 1);
        Assert.Equal((short)ErrorCode.None, handshake.ErrorCode);
        Assert.Equal(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"], handshake.Mechanisms);
    }

    [Fact]
    public async Task Plain_accepts_the_right_password_and_then_serves_requests()
    {
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(_cluster, 0);
        await HandshakeAsync(client, "PLAIN");
        SaslAuthenticateResponse response = await AuthenticateAsync(client, Encoding.UTF8.GetBytes("\0alice\0alice-secret"));
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(60_000, response.SessionLifetimeMs);
        MetadataResponse metadata = await client.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = null }, 9);
        Assert.Single(metadata.Brokers);
    }

    [Fact]
    public async Task Plain_rejects_a_wrong_password_and_closes_the_session()
    {
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(_cluster, 0);
        await HandshakeAsync(client, "PLAIN");
        SaslAuthenticateResponse response = await AuthenticateAsync(client, Encoding.UTF8.GetBytes("\0alice\0wrong"));
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, response.ErrorCode);
        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData("SCRAM-SHA-256", "alice", "alice-secret", true)]
    [InlineData("SCRAM-SHA-512", "bob,=x", "pässword", true)]
    [InlineData("SCRAM-SHA-256", "alice", "wrong", false)]
    [InlineData("SCRAM-SHA-512", "mallory", "x", false)]
    public async Task Scram_verifies_the_client_proof_and_proves_the_server(string mechanism, string user, string password, bool valid)
    {
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(_cluster, 0);
        await HandshakeAsync(client, mechanism);
        var scram = new ScramClient(mechanism, user, password);
        SaslAuthenticateResponse first = await AuthenticateAsync(client, scram.ClientFirst());
        if (!valid && first.ErrorCode != (short)ErrorCode.None)
        {
            Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, first.ErrorCode);
            return;
        }
        Assert.Equal((short)ErrorCode.None, first.ErrorCode);
        SaslAuthenticateResponse final = await AuthenticateAsync(client, scram.ClientFinal(first.AuthBytes.ToArray()));
        if (!valid)
        {
            Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, final.ErrorCode);
            return;
        }
        Assert.Equal((short)ErrorCode.None, final.ErrorCode);
        Assert.True(scram.VerifyServerFinal(final.AuthBytes.ToArray()));

        // KIP-368: the same user re-authenticates on the same session.
        await HandshakeAsync(client, mechanism);
        var again = new ScramClient(mechanism, user, password);
        SaslAuthenticateResponse reFirst = await AuthenticateAsync(client, again.ClientFirst());
        SaslAuthenticateResponse reFinal = await AuthenticateAsync(client, again.ClientFinal(reFirst.AuthBytes.ToArray()));
        Assert.Equal((short)ErrorCode.None, reFinal.ErrorCode);
    }

    /// <summary>The client side of RFC 5802, written independently of the server under test.</summary>
    private sealed class ScramClient(string mechanism, string user, string password)
    {
        private readonly string _nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        private string _clientFirstBare = "";
        private byte[] _serverSignature = [];

        private HashAlgorithmName Hash => mechanism == "SCRAM-SHA-256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512;

        public byte[] ClientFirst()
        {
            _clientFirstBare = $"n={user.Replace("=", "=3D").Replace(",", "=2C")},r={_nonce}";
            return Encoding.UTF8.GetBytes("n,," + _clientFirstBare);
        }

        public byte[] ClientFinal(byte[] serverFirstBytes)
        {
            string serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
            var fields = serverFirst.Split(',').ToDictionary(f => f[0], f => f[2..]);
            Assert.StartsWith(_nonce, fields['r']);
            int length = Hash == HashAlgorithmName.SHA256 ? 32 : 64;
            byte[] salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(fields['s']), int.Parse(fields['i']), Hash, length);
            byte[] clientKey = Hmac(salted, "Client Key");
            byte[] storedKey = Hash == HashAlgorithmName.SHA256 ? SHA256.HashData(clientKey) : SHA512.HashData(clientKey);
            string withoutProof = $"c=biws,r={fields['r']}";
            byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirst},{withoutProof}");
            byte[] signature = Hmac(storedKey, authMessage);
            byte[] proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
            _serverSignature = Hmac(Hmac(salted, "Server Key"), authMessage);
            return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
        }

        public bool VerifyServerFinal(byte[] serverFinal) => Encoding.UTF8.GetString(serverFinal) == "v=" + Convert.ToBase64String(_serverSignature);

        private byte[] Hmac(byte[] key, string data) => Hmac(key, Encoding.UTF8.GetBytes(data));

        private byte[] Hmac(byte[] key, byte[] data) => Hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);
    }
}
