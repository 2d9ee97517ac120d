using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Client.Tests;

/// <summary>
/// KIP-1102's trigger: metadata wanted for <see cref="KafkaClientOptions.MetadataRecoveryRebootstrapTrigger"/> without
/// an answer rebootstraps, even though the known broker has not failed: it accepts connections and never answers, and
/// the request timeout is far off. The bootstrap name is resolved again (a test transport plays DNS) and now names
/// another cluster, whose metadata replaces the broker set. Fake time; nothing sleeps.
/// </summary>
public sealed class RebootstrapTriggerTests
{
    [Fact]
    public async Task Metadata_wanted_past_the_trigger_rebootstraps_from_the_name_resolved_again()
    {
        await using var old = new FakeBroker(nodeId: 1);
        await using var fresh = new FakeBroker(nodeId: 7);
        fresh.Metadata = _ => new MetadataResponse
        {
            ClusterId = "new",
            ControllerId = 7,
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 7, Host = fresh.Host, Port = fresh.Port }],
        };
        var dns = new TestDns("bootstrap.kafka.test", old.Bootstrap);
        var time = new FakeTimeProvider();
        await using var cluster = new KafkaCluster(TestOptions.For("bootstrap.kafka.test:9092", o =>
        {
            o.Transport = dns;
            o.TimeProvider = time;
            // Fake time runs ahead of the real connections: only the trigger may end a wait here.
            o.RequestTimeout = TimeSpan.FromHours(1);
            o.ConnectTimeout = TimeSpan.FromHours(1);
            o.MetadataMaxAge = TimeSpan.FromHours(2);
            o.MetadataRecoveryRebootstrapTrigger = TimeSpan.FromMinutes(5);
        }));
        ClusterMetadata first = await cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang);
        Assert.Equal([1], first.Brokers.Keys);

        // The old broker hangs on Metadata; the bootstrap name now points at the new cluster.
        old.OnRequest = request => ValueTask.FromResult(request.ApiKey == ApiKey.Metadata);
        dns.Target = fresh.Bootstrap;
        DateTimeOffset start = time.GetUtcNow();
        Task<ClusterMetadata> refresh = cluster.RefreshMetadataAsync();
        await time.AdvanceUntilAsync(() => refresh.IsCompleted, TimeSpan.FromSeconds(15), "the rebootstrap");
        ClusterMetadata rebootstrapped = await refresh;

        Assert.Equal("new", rebootstrapped.ClusterId);
        Assert.Equal([7], rebootstrapped.Brokers.Keys);
        TimeSpan waited = time.GetUtcNow() - start;
        // Not before the trigger, and long before the request timeout would have given the hanging broker up (fake time
        // runs on in 15 s steps while the new connection is made for real, so the bound is loose).
        Assert.True(waited >= TimeSpan.FromMinutes(5) && waited < TimeSpan.FromMinutes(30), $"rebootstrapped after {waited}");
        Assert.Equal(1, fresh.Count(ApiKey.Metadata));
    }

    [Fact]
    public void The_options_default_to_Kafka_4s_and_refuse_bad_values()
    {
        var options = new KafkaClientOptions { BootstrapServers = "b:9092" };
        Assert.Equal(MetadataRecoveryStrategy.Rebootstrap, options.MetadataRecoveryStrategy);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MetadataRecoveryRebootstrapTrigger);
        options.MetadataRecoveryRebootstrapTrigger = TimeSpan.Zero;
        Assert.Throws<ArgumentException>(options.Validate);
        options.MetadataRecoveryRebootstrapTrigger = TimeSpan.FromMinutes(1);
        options.MetadataRecoveryStrategy = (MetadataRecoveryStrategy)7;
        Assert.Throws<ArgumentException>(options.Validate);
    }

    /// <summary>A transport that resolves one host name to whichever <c>host:port</c> <see cref="Target"/> names at each connection, as DNS would.</summary>
    private sealed class TestDns(string name, string target) : IKafkaTransport
    {
        public string Target { get; set; } = target;

        public ValueTask<IKafkaTransportConnection> ConnectAsync(BrokerEndpoint endpoint, KafkaTlsOptions? tls, CancellationToken cancellationToken)
        {
            if (endpoint.Host == name)
            {
                string[] parts = Target.Split(':');
                endpoint = new BrokerEndpoint(parts[0], int.Parse(parts[1]));
            }
            return KafkaTransport.Default.ConnectAsync(endpoint, tls, cancellationToken);
        }
    }
}
