using System.Text;
using KafkaNative.Client.Security;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Tests;

public sealed class SaslTests
{
    private const string User = "alice";
    private const string Password = "s3cr3t-Pa55word!";
    private static readonly Dictionary<string, string> Users = new() { [User] = Password };

    public static TheoryData<SaslMechanism> Mechanisms => new() { SaslMechanism.Plain, SaslMechanism.ScramSha256, SaslMechanism.ScramSha512 };

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public async Task TheRightPasswordAuthenticates(SaslMechanism mechanism)
    {
        await using var broker = new FakeBroker { SaslUsers = Users };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker, o =>
            o.Sasl = new KafkaSaslOptions { Mechanism = mechanism, Username = User, Password = Password });
        Assert.Equal(1, broker.Authentications);
        Assert.NotNull(await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }));
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public async Task AWrongPasswordFailsWithoutRevealingCredentials(SaslMechanism mechanism)
    {
        const string wrong = "Wr0ng-Pa55word?";
        var logs = new ListLoggerFactory();
        await using var broker = new FakeBroker { SaslUsers = Users };
        var exception = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => TestOptions.ConnectAsync(broker, o =>
        {
            o.Sasl = new KafkaSaslOptions { Mechanism = mechanism, Username = User, Password = wrong };
            o.LoggerFactory = logs;
        }).WaitAsync(TestOptions.NoHang));

        Assert.False(exception.IsRetriable);
        Assert.Contains(new KafkaSaslOptions { Mechanism = mechanism }.MechanismName, exception.Message);
        string everything = exception + string.Join("\n", logs.Lines);
        Assert.DoesNotContain(wrong, everything);
        Assert.DoesNotContain(Password, everything);
        Assert.Equal(0, broker.Authentications);
    }

    [Fact]
    public void OptionsNeverPrintThePassword()
    {
        var sasl = new KafkaSaslOptions { Mechanism = SaslMechanism.ScramSha256, Username = User, Password = Password };
        Assert.DoesNotContain(Password, sasl.ToString());
        Assert.Contains("SCRAM-SHA-256", sasl.ToString());
    }

    [Fact]
    public async Task AMechanismTheBrokerDoesNotEnableIsNamedWithTheOffers()
    {
        await using var broker = new FakeBroker { SaslUsers = null };
        var exception = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => TestOptions.ConnectAsync(broker, o =>
            o.Sasl = new KafkaSaslOptions { Mechanism = SaslMechanism.Plain, Username = User, Password = Password }).WaitAsync(TestOptions.NoHang));
        Assert.Contains("PLAIN is not enabled", exception.Message);
        Assert.Contains("SCRAM-SHA-512", exception.Message);
    }

    [Fact]
    public async Task TheClientReauthenticatesBeforeTheSessionExpiresWhileRequestsContinue()
    {
        await using var broker = new FakeBroker { SaslUsers = Users, SessionLifetimeMs = 600 };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker, o =>
            o.Sasl = new KafkaSaslOptions { Mechanism = SaslMechanism.ScramSha512, Username = User, Password = Password });

        var deadline = DateTime.UtcNow + TestOptions.NoHang;
        while (broker.Authentications < 3 && DateTime.UtcNow < deadline)
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
                connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }).AsTask()));
        }
        Assert.True(broker.Authentications >= 3, $"authenticated {broker.Authentications} times");
        Assert.False(connection.IsClosed);
        Assert.Equal(1, broker.Accepted);
    }

    [Fact]
    public void ScramSha256MatchesTheRfc7677Example()
    {
        var client = new ScramSaslClient(SaslMechanism.ScramSha256, "user", "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO");
        Assert.Equal("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", Encoding.UTF8.GetString(client.InitialResponse()));
        byte[]? final = client.EvaluateChallenge(Encoding.UTF8.GetBytes(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
        Assert.Equal("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", Encoding.UTF8.GetString(final!));
        Assert.Null(client.EvaluateChallenge(Encoding.UTF8.GetBytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")));
        Assert.True(client.IsComplete);
    }

    [Theory]
    [InlineData("r=abcdefXYZ,s=QSXCR+Q6sek8bf92,i=4096", "server nonce")]
    [InlineData("r=clientnonceXYZ,s=QSXCR+Q6sek8bf92,i=1000", "iteration count")]
    [InlineData("r=clientnonceXYZ,s=QSXCR+Q6sek8bf92,i=999999999", "iteration count")]
    [InlineData("e=unknown-user", "unknown-user")]
    public void ScramRejectsARogueServerFirstMessage(string serverFirst, string expected)
    {
        var client = new ScramSaslClient(SaslMechanism.ScramSha256, "user", "pencil", clientNonce: "clientnonce");
        client.InitialResponse();
        var exception = Assert.Throws<KafkaAuthenticationException>(() => client.EvaluateChallenge(Encoding.UTF8.GetBytes(serverFirst)));
        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public void ScramRejectsABrokerThatCannotProveItKnowsTheKey()
    {
        var client = new ScramSaslClient(SaslMechanism.ScramSha256, "user", "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO");
        client.InitialResponse();
        client.EvaluateChallenge(Encoding.UTF8.GetBytes("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
        var exception = Assert.Throws<KafkaAuthenticationException>(() => client.EvaluateChallenge(Encoding.UTF8.GetBytes("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
        Assert.Contains("signature", exception.Message);
        Assert.False(client.IsComplete);
    }
}
