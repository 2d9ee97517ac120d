using System.Text.Json;
using KafkaNative.Protocol;

namespace KafkaNative.Client.Tests;

public sealed class OptionsTests
{
    public static TheoryData<string, Action<KafkaClientOptions>> BadOptions => new()
    {
        { "BootstrapServers", o => o.BootstrapServers = "" },
        { "BootstrapServers", o => o.BootstrapServers = "no-port" },
        { "BootstrapServers", o => o.BootstrapServers = "host:70000" },
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.Zero },
        { "RequestTimeout", o => o.RequestTimeout = TimeSpan.FromSeconds(-1) },
        { "MetadataMaxAge", o => o.MetadataMaxAge = TimeSpan.Zero },
        { "MetadataMinRefreshInterval", o => o.MetadataMinRefreshInterval = TimeSpan.FromSeconds(-1) },
        { "ReconnectBackoffMin", o => o.ReconnectBackoffMin = TimeSpan.Zero },
        { "ReconnectBackoffMax", o => o.ReconnectBackoffMax = TimeSpan.FromMilliseconds(1) },
        { "MaxInFlightPerConnection", o => o.MaxInFlightPerConnection = 0 },
        { "MaxResponseSize", o => o.MaxResponseSize = 10 },
        { "TimeProvider", o => o.TimeProvider = null! },
        { "Username", o => o.Sasl = new KafkaSaslOptions { Password = "p" } },
        { "Password", o => o.Sasl = new KafkaSaslOptions { Username = "u" } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void InvalidOptionsAreRejectedWithTheirName(string name, Action<KafkaClientOptions> spoil)
    {
        var options = new KafkaClientOptions { BootstrapServers = "localhost:9092" };
        options.Validate();
        spoil(options);
        var exception = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Contains(name, exception.Message + exception.ParamName);
        Assert.Throws(exception.GetType(), () => new KafkaCluster(options));
    }

    [Fact]
    public void BootstrapServersParse()
    {
        Assert.Equal(
            [new BrokerEndpoint("a", 1), new BrokerEndpoint("b.example", 9092), new BrokerEndpoint("::1", 9093)],
            BrokerEndpoint.ParseList(" a:1, b.example:9092 ,,[::1]:9093"));
        Assert.Equal("[::1]:9093", new BrokerEndpoint("::1", 9093).ToString());
    }

    [SkippableFact]
    public void StableVersionCapsMatchTheSchemas()
    {
        string directory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/kafka-protocol/message"));
        Skip.IfNot(Directory.Exists(directory), $"{directory} is not checked out");
        var expected = new Dictionary<ApiKey, short>();
        foreach (string file in Directory.GetFiles(directory, "*Request.json"))
        {
            string json = string.Join("\n", File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("//")));
            using JsonDocument schema = JsonDocument.Parse(json);
            JsonElement root = schema.RootElement;
            if (!root.TryGetProperty("apiKey", out JsonElement key)) continue;
            if (!root.TryGetProperty("latestVersionUnstable", out JsonElement unstable) || !unstable.GetBoolean()) continue;
            string versions = root.GetProperty("validVersions").GetString()!;
            short highest = short.Parse(versions.Split('-')[^1].TrimEnd('+'));
            expected[(ApiKey)key.GetInt16()] = (short)(highest - 1);
        }
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(e => e.Key), ClientApiVersions.StableCaps.OrderBy(e => e.Key));
    }
}
