using System.Security.Cryptography.X509Certificates;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Tests;

/// <summary>TLS against a fake broker with certificates generated in the test.</summary>
public sealed class TlsTests
{
    private static async Task<BrokerConnection> ConnectAsync(FakeBroker broker, KafkaTlsOptions tls, string host = "127.0.0.1")
    {
        KafkaClientOptions options = TestOptions.For($"{host}:{broker.Port}", o => o.Tls = tls);
        return await BrokerConnection.ConnectAsync(1, new BrokerEndpoint(host, broker.Port), options).WaitAsync(TestOptions.NoHang);
    }

    [Fact]
    public async Task AValidCertificateFromTheConfiguredCaConnects()
    {
        using X509Certificate2 ca = TestCertificates.CreateCa("KafkaNative Test CA");
        using X509Certificate2 server = TestCertificates.CreateServer(ca, "localhost");
        await using var broker = new FakeBroker(certificate: server);
        await using BrokerConnection connection = await ConnectAsync(broker, new KafkaTlsOptions { CaCertificates = [ca] }, "localhost");
        Assert.NotNull(await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }));
    }

    [Fact]
    public async Task AWrongHostNameIsRejectedByDefault()
    {
        using X509Certificate2 ca = TestCertificates.CreateCa("KafkaNative Test CA");
        using X509Certificate2 server = TestCertificates.CreateServer(ca, "broker.example.com");
        await using var broker = new FakeBroker(certificate: server);
        var exception = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => ConnectAsync(broker, new KafkaTlsOptions { CaCertificates = [ca] }, "localhost"));
        Assert.Contains("host name", exception.Message);
        Assert.False(exception.IsRetriable);
    }

    [Fact]
    public async Task HostNameVerificationCanBeTurnedOff()
    {
        using X509Certificate2 ca = TestCertificates.CreateCa("KafkaNative Test CA");
        using X509Certificate2 server = TestCertificates.CreateServer(ca, "broker.example.com");
        await using var broker = new FakeBroker(certificate: server);
        await using BrokerConnection connection = await ConnectAsync(broker, new KafkaTlsOptions { CaCertificates = [ca], VerifyHostName = false }, "localhost");
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task AnUntrustedCaIsRejected()
    {
        using X509Certificate2 ca = TestCertificates.CreateCa("KafkaNative Test CA");
        using X509Certificate2 other = TestCertificates.CreateCa("Some Other CA");
        using X509Certificate2 server = TestCertificates.CreateServer(ca, "localhost");
        await using var broker = new FakeBroker(certificate: server);

        var custom = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => ConnectAsync(broker, new KafkaTlsOptions { CaCertificates = [other] }, "localhost"));
        Assert.Contains("configured CA", custom.Message);
        var system = await Assert.ThrowsAsync<KafkaAuthenticationException>(() => ConnectAsync(broker, new KafkaTlsOptions(), "localhost"));
        Assert.Contains("not trusted", system.Message);
    }

    [Fact]
    public async Task TlsAndSaslTogether()
    {
        using X509Certificate2 ca = TestCertificates.CreateCa("KafkaNative Test CA");
        using X509Certificate2 server = TestCertificates.CreateServer(ca, "localhost");
        await using var broker = new FakeBroker(certificate: server) { SaslUsers = new Dictionary<string, string> { ["bob"] = "builder-pw" } };
        KafkaClientOptions options = TestOptions.For($"localhost:{broker.Port}", o =>
        {
            o.Tls = new KafkaTlsOptions { CaCertificates = [ca] };
            o.Sasl = new KafkaSaslOptions { Mechanism = SaslMechanism.Plain, Username = "bob", Password = "builder-pw" };
        });
        await using BrokerConnection connection = await BrokerConnection.ConnectAsync(1, new BrokerEndpoint("localhost", broker.Port), options);
        Assert.Equal(1, broker.Authentications);
    }
}
