using System.Security.Cryptography.X509Certificates;
using KafkaNative.Sim;

namespace KafkaNative.Cli.Tests;

/// <summary>-X security.protocol, sasl.* and ssl.* against a simulated cluster that requires TLS and SASL.</summary>
public sealed class SecuritySettingsTests
{
    [Fact]
    public async Task Sasl_over_tls_with_the_ca_from_a_pem_file_reads_metadata_and_a_wrong_password_is_one_error_line()
    {
        using X509Certificate2 ca = TestCertificates.CreateCa("KafkaNative CLI test CA");
        using X509Certificate2 server = TestCertificates.CreateServer(ca, "localhost");
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions
        {
            Brokers = 1,
            BasePort = 0,
            TlsCertificate = server,
            SaslUsers = new Dictionary<string, string> { ["alice"] = "secret" },
        });
        string caFile = Path.Combine(Directory.CreateTempSubdirectory("kafkanative-cli-tls-").FullName, "ca.pem");
        await File.WriteAllTextAsync(caFile, ca.ExportCertificatePem());
        string bootstrap = cluster.BootstrapServers.Replace("127.0.0.1", "localhost");
        string[] Security(string password) =>
        [
            "-X", "security.protocol=sasl_ssl", "-X", "sasl.mechanism=SCRAM-SHA-256",
            "-X", "sasl.username=alice", "-X", $"sasl.password={password}", "-X", $"ssl.ca.location={caFile}",
        ];

        CliResult metadata = await CliRunner.RunAsync(["metadata", "-b", bootstrap, .. Security("secret")]);
        Assert.True(metadata.ExitCode == 0, metadata.ToString());
        Assert.Contains("1 brokers", metadata.Stdout);

        CliResult refused = await CliRunner.RunAsync(["metadata", "-b", bootstrap, "-X", "socket.connection.setup.timeout.ms=3000", .. Security("wrong")]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Single(refused.StderrLines);
        Assert.StartsWith("kafkanative: error:", refused.Stderr);
    }

    [Theory]
    [InlineData("-X ssl.ca.location=/tmp/ca.pem", "security.protocol=ssl")]
    [InlineData("-X sasl.username=alice", "security.protocol=sasl_plaintext")]
    [InlineData("-X security.protocol=sasl_plaintext -X sasl.username=alice", "sasl.password")]
    [InlineData("-X security.protocol=tls", "expected plaintext")]
    [InlineData("-X security.protocol=ssl -X ssl.certificate.location=/tmp/c.pem", "go together")]
    public async Task Security_settings_that_do_not_fit_together_are_usage_errors(string settings, string message)
    {
        CliResult result = await CliRunner.RunAsync(["metadata", "-b", "127.0.0.1:1", .. settings.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StderrLines);
        Assert.Contains(message, result.Stderr);
    }
}
