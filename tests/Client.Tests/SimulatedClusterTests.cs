using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using KafkaNative.Admin;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;
using ClusterOptions = KafkaNative.Sim.ClusterOptions;
using SimulatedCluster = KafkaNative.Sim.SimulatedCluster;

namespace KafkaNative.Client.Tests;

/// <summary>The client against the in-process simulated cluster (src/Sim/Cluster).</summary>
public sealed class SimulatedClusterTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static KafkaClientOptions OptionsFor(SimulatedCluster sim, Action<KafkaClientOptions>? configure = null) =>
        TestOptions.For(sim.BootstrapServers, configure);

    private static ListOffsetsRequest Latest(string topic, int partition) => new()
    {
        ReplicaId = -1,
        Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = partition, Timestamp = -1 }] }],
    };

    private static ErrorCode ErrorOf(ListOffsetsResponse response) => (ErrorCode)response.Topics[0].Partitions[0].ErrorCode;

    private static long MetadataRequests(SimulatedCluster sim) => sim.BrokerIds.Sum(id => (long)sim.RequestCount(id, ApiKey.Metadata));

    [Fact]
    public async Task AStoppedBrokerFailsItsInFlightRequestsRetriablyAndTrafficResumesOnTheNewLeader()
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
        await sim.CreateTopicAsync("moving", 1, 3);
        await using var cluster = new KafkaCluster(OptionsFor(sim));

        int oldLeader;
        using (BrokerLease lease = await cluster.AcquireLeaderAsync("moving", 0))
        {
            oldLeader = lease.Broker.NodeId;
            Assert.Equal(ErrorCode.None, ErrorOf(await lease.Broker.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(Latest("moving", 0))));
            // Latency keeps requests in flight while the broker goes away.
            sim.SetLatency(oldLeader, TimeSpan.FromSeconds(5));
            Task<ListOffsetsResponse>[] inFlight = Enumerable.Range(0, 3)
                .Select(_ => lease.Broker.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(Latest("moving", 0)).AsTask()).ToArray();
            await Eventually.TrueAsync(() => sim.RequestCount(oldLeader, ApiKey.ListOffsets) >= 4, "the three requests at the old leader");
            await sim.StopBrokerAsync(oldLeader);
            foreach (Task<ListOffsetsResponse> request in inFlight)
            {
                var failure = await Assert.ThrowsAnyAsync<KafkaErrorException>(() => request.WaitAsync(TestOptions.NoHang));
                Assert.True(failure.IsRetriable, failure.ToString());
            }
        }

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await cluster.RefreshMetadataAsync();
                using BrokerLease lease = await cluster.AcquireLeaderAsync("moving", 0);
                ListOffsetsResponse response = await lease.Broker.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(Latest("moving", 0));
                if (ErrorOf(response) != ErrorCode.None) return false;
                Assert.NotEqual(oldLeader, lease.Broker.NodeId);
                return true;
            }
            catch (KafkaErrorException exception) when (exception.IsRetriable)
            {
                return false;
            }
        }, () => "traffic resuming on a new leader", TestOptions.NoHang);
    }

    [Fact]
    public async Task LatencyAboveTheRequestTimeoutIsATimeout()
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BasePort = 0 });
        var time = new FakeTimeProvider();
        await using var cluster = new KafkaCluster(OptionsFor(sim, o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(500);
            o.TimeProvider = time;
        }));
        int id = sim.BrokerIds.First();
        using BrokerLease lease = await cluster.AcquireBrokerAsync(id);
        await lease.Broker.GetConnectionAsync();
        sim.SetLatency(id, TimeSpan.FromSeconds(3));
        long before = sim.RequestCount(id, ApiKey.Metadata);
        Task<MetadataResponse> slow = lease.Broker.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }).AsTask();
        await Eventually.TrueAsync(() => sim.RequestCount(id, ApiKey.Metadata) > before, "the request at the broker");
        // The broker answers 3 s later in real time; on the client's clock the request timeout passes first.
        time.Advance(TimeSpan.FromMilliseconds(600));
        var exception = await Assert.ThrowsAsync<KafkaTimeoutException>(() => slow.WaitAsync(TestOptions.NoHang));
        Assert.Contains("request timeout", exception.Message);
        Assert.True(exception.IsRetriable);
    }

    [Fact]
    public async Task AStalledBrokerDoesNotHoldUpRequestsToOthers()
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
        await using var cluster = new KafkaCluster(OptionsFor(sim, o => o.RequestTimeout = TimeSpan.FromSeconds(30)));
        int[] ids = sim.BrokerIds.ToArray();
        BrokerLease[] leases = await Task.WhenAll(ids.Select(id => cluster.AcquireBrokerAsync(id).AsTask()));
        try
        {
            foreach (BrokerLease lease in leases) await lease.Broker.GetConnectionAsync();
            sim.SetStalled(ids[0], true);
            Task<MetadataResponse>[] stalled = Enumerable.Range(0, 5)
                .Select(_ => leases[0].Broker.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }).AsTask()).ToArray();

            for (int round = 0; round < 20; round++)
            {
                await Task.WhenAll(leases.Skip(1).Select(l => l.Broker.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }).AsTask()))
                    .WaitAsync(TestOptions.NoHang);
            }
            Assert.All(stalled, s => Assert.False(s.IsCompleted));
            sim.SetStalled(ids[0], false);
            await Task.WhenAll(stalled).WaitAsync(TestOptions.NoHang);
        }
        finally
        {
            foreach (BrokerLease lease in leases) lease.Dispose();
        }
    }

    [Fact]
    public async Task ALeadershipStormCausesABoundedNumberOfMetadataRequests()
    {
        const int partitions = 30;
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
        await sim.CreateTopicAsync("storm", partitions, 3);
        await using var cluster = new KafkaCluster(OptionsFor(sim, o => o.MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(250)));
        await cluster.GetTopicAsync("storm");

        using var stop = new CancellationTokenSource();
        int[] successesAfterMove = new int[partitions];
        bool moved = false;
        Task[] workers = Enumerable.Range(0, partitions).Select(p => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                bool afterMove = Volatile.Read(ref moved);
                try
                {
                    using BrokerLease lease = await cluster.AcquireLeaderAsync("storm", p, stop.Token);
                    ErrorCode error = ErrorOf(await lease.Broker.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(Latest("storm", p), stop.Token));
                    if (error == ErrorCode.None)
                    {
                        if (afterMove) Interlocked.Increment(ref successesAfterMove[p]);
                    }
                    else if (KafkaCluster.IsStaleMetadataError(error))
                    {
                        await cluster.RefreshMetadataAsync(stop.Token);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (KafkaErrorException exception) when (exception.IsRetriable)
                {
                    await cluster.RefreshMetadataAsync(stop.Token);
                }
            }
        })).ToArray();

        await Eventually.TrueAsync(() => sim.BrokerIds.Sum(id => sim.RequestCount(id, ApiKey.ListOffsets)) >= partitions, "every worker under way");
        long before = MetadataRequests(sim);
        int[] brokers = sim.BrokerIds.ToArray();
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(p =>
            sim.MoveLeaderAsync("storm", p, brokers.First(b => b != sim.LeaderOf("storm", p)))));
        Volatile.Write(ref moved, true);
        await Eventually.TrueAsync(() => successesAfterMove.All(n => n > 0), "every partition served by its new leader");
        long during = MetadataRequests(sim) - before;
        stop.Cancel();
        await Task.WhenAll(workers).WaitAsync(TestOptions.NoHang);

        // 30 partitions erroring at once; coalescing and the 250 ms rate limit keep refreshes to a handful.
        output.WriteLine($"{during} metadata requests while {partitions} leaders moved");
        Assert.InRange(during, 1, 12);
    }

    [Fact]
    public async Task TlsWithAGeneratedCertificate()
    {
        using X509Certificate2 ca = TestCertificates.CreateCa("KafkaNative Sim CA");
        using X509Certificate2 server = TestCertificates.CreateServer(ca, "localhost");
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BasePort = 0, TlsCertificate = server });
        string bootstrap = sim.BootstrapServers.Replace("127.0.0.1", "localhost");

        await using (var cluster = new KafkaCluster(TestOptions.For(bootstrap, o => o.Tls = new KafkaTlsOptions { CaCertificates = [ca] })))
            Assert.NotEmpty((await cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang)).Brokers);

        using X509Certificate2 other = TestCertificates.CreateCa("Untrusted CA");
        await using (var untrusted = new KafkaCluster(TestOptions.For(bootstrap, o => o.Tls = new KafkaTlsOptions { CaCertificates = [other] })))
        {
            var exception = await Assert.ThrowsAnyAsync<KafkaException>(() => untrusted.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang));
            Assert.Contains("configured CA", exception.ToString());
        }

        using X509Certificate2 wrongHost = TestCertificates.CreateServer(ca, "elsewhere.example.com");
        await using SimulatedCluster misnamed = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BasePort = 0, TlsCertificate = wrongHost });
        await using (var mismatch = new KafkaCluster(TestOptions.For(misnamed.BootstrapServers.Replace("127.0.0.1", "localhost"), o => o.Tls = new KafkaTlsOptions { CaCertificates = [ca] })))
        {
            var exception = await Assert.ThrowsAnyAsync<KafkaException>(() => mismatch.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang));
            Assert.Contains("host name", exception.ToString());
        }
    }

    public static TheoryData<SaslMechanism> Mechanisms => new() { SaslMechanism.Plain, SaslMechanism.ScramSha256, SaslMechanism.ScramSha512 };

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public async Task SaslWithTheRightAndAWrongPassword(SaslMechanism mechanism)
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions
        {
            Brokers = 1,
            BasePort = 0,
            SaslUsers = new Dictionary<string, string> { ["carol"] = "correct-horse" },
        });
        await using (var good = new KafkaCluster(OptionsFor(sim, o => o.Sasl = new KafkaSaslOptions { Mechanism = mechanism, Username = "carol", Password = "correct-horse" })))
            Assert.NotEmpty((await good.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang)).Brokers);

        var logs = new ListLoggerFactory();
        await using var bad = new KafkaCluster(OptionsFor(sim, o =>
        {
            o.Sasl = new KafkaSaslOptions { Mechanism = mechanism, Username = "carol", Password = "battery-staple" };
            o.LoggerFactory = logs;
        }));
        var exception = await Assert.ThrowsAnyAsync<KafkaException>(() => bad.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang));
        Assert.IsType<KafkaAuthenticationException>(exception.InnerException);
        Assert.DoesNotContain("battery-staple", exception + string.Join("\n", logs.Lines));
    }

    [Fact]
    public async Task AdminOperationsRoundTrip()
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
        await using var admin = new KafkaAdminClient(OptionsFor(sim));

        ClusterDescription description = await admin.DescribeClusterAsync();
        Assert.Equal(sim.BrokerIds.Order(), description.Brokers.Select(b => b.NodeId));

        await admin.CreateTopicsAsync([new NewTopic("orders", 3, 2), new NewTopic("audit", 1, 3) { Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" } }]);
        var exists = await Assert.ThrowsAsync<KafkaErrorException>(() => admin.CreateTopicsAsync([new NewTopic("orders", 3, 2)]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, exists.ErrorCode);

        IReadOnlyList<TopicMetadata> topics = await admin.ListTopicsAsync();
        Assert.Contains(topics, t => t.Name == "orders" && t.Partitions.Count == 3 && t.Partitions.All(p => p.Replicas.Count == 2));
        Assert.Contains(topics, t => t.Name == "audit" && t.Partitions.Count == 1);

        await admin.CreatePartitionsAsync(new Dictionary<string, int> { ["orders"] = 5 });
        Assert.Equal(5, (await admin.DescribeTopicsAsync(["orders"])).Single().Partitions.Count);

        var resource = new ConfigResource(ConfigResourceType.Topic, "audit");
        Assert.Contains(await admin.DescribeConfigsAsync(resource), c => c.Name == "cleanup.policy" && c.Value == "compact");

        IReadOnlyDictionary<TopicPartition, ListedOffset> offsets = await admin.ListOffsetsAsync(
            Enumerable.Range(0, 5).ToDictionary(p => new TopicPartition("orders", p), _ => OffsetSpec.Latest));
        Assert.Equal(5, offsets.Count);
        Assert.All(offsets.Values, o => Assert.Equal(0, o.Offset));
        IReadOnlyDictionary<TopicPartition, long> low = await admin.DeleteRecordsAsync(new Dictionary<TopicPartition, long> { [new TopicPartition("orders", 0)] = 0 });
        Assert.Equal(0, low[new TopicPartition("orders", 0)]);

        Assert.Empty(await admin.ListGroupsAsync());

        await admin.DeleteTopicsAsync(["audit"]);
        Assert.DoesNotContain(await admin.ListTopicsAsync(), t => t.Name == "audit");
        var missing = await Assert.ThrowsAsync<KafkaErrorException>(() => admin.DeleteTopicsAsync(["audit"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, missing.ErrorCode);
    }

    [SkippableFact]
    public async Task AlterConfigsRoundTrip()
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BasePort = 0 });
        await using var admin = new KafkaAdminClient(OptionsFor(sim));
        using (BrokerLease lease = await admin.Cluster.AcquireBrokerAsync(sim.BrokerIds[0]))
        {
            BrokerConnection connection = await lease.Broker.GetConnectionAsync();
            Skip.IfNot(connection.Versions.IsSupported<IncrementalAlterConfigsRequest>(), "the simulated cluster does not implement IncrementalAlterConfigs (API 44) yet");
        }
        await admin.CreateTopicsAsync([new NewTopic("configured", 1, 1)]);
        var resource = new ConfigResource(ConfigResourceType.Topic, "configured");
        await admin.AlterConfigsAsync(resource, [new ConfigAlteration("retention.ms", "3600000")]);
        Assert.Contains(await admin.DescribeConfigsAsync(resource), c => c.Name == "retention.ms" && c.Value == "3600000");
        await admin.AlterConfigsAsync(resource, [new ConfigAlteration("retention.ms", null, AlterConfigOperation.Delete)]);
        Assert.DoesNotContain(await admin.DescribeConfigsAsync(resource), c => c.Name == "retention.ms" && c.Value == "3600000");
    }

    [Fact]
    public async Task SaslSessionsAreRenewedBeforeTheyExpire()
    {
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions
        {
            Brokers = 1,
            BasePort = 0,
            SaslUsers = new Dictionary<string, string> { ["dave"] = "renew-me" },
            SaslSessionLifetimeMs = 5_000,
        });
        var time = new FakeTimeProvider();
        await using var cluster = new KafkaCluster(OptionsFor(sim, o =>
        {
            o.Sasl = new KafkaSaslOptions { Mechanism = SaslMechanism.ScramSha256, Username = "dave", Password = "renew-me" };
            o.TimeProvider = time;
        }));
        using BrokerLease lease = await cluster.AcquireBrokerAsync(sim.BrokerIds[0]);
        BrokerConnection connection = await lease.Broker.GetConnectionAsync();
        // The client renews at 85-95% of the 5 s lifetime on its fake clock, raced ahead here: three renewals
        // come long before the broker's real-time session could expire, however slow the machine.
        long authentications = sim.RequestCount(sim.BrokerIds[0], ApiKey.SaslAuthenticate);
        DateTimeOffset from = time.GetUtcNow();
        await time.AdvanceUntilAsync(
            () => time.GetUtcNow() - from >= TimeSpan.FromSeconds(15) && sim.RequestCount(sim.BrokerIds[0], ApiKey.SaslAuthenticate) >= authentications + 3,
            TimeSpan.FromMilliseconds(500), "three lifetimes and renewals");
        // Three session lifetimes later the same connection still works: it re-authenticated in time.
        await lease.Broker.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }).AsTask().WaitAsync(TestOptions.NoHang);
        Assert.Same(connection, await lease.Broker.GetConnectionAsync());
    }

    [SkippableFact]
    public async Task KcatSeesWhatTheAdminClientReports()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed at /usr/bin/kcat");
        await using SimulatedCluster sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
        await sim.CreateTopicAsync("kcat-a", 4, 3);
        await sim.CreateTopicAsync("kcat-b", 2, 1);
        await using var admin = new KafkaAdminClient(OptionsFor(sim));
        ClusterDescription cluster = await admin.DescribeClusterAsync();
        IReadOnlyList<TopicMetadata> topics = await admin.ListTopicsAsync();

        var (exit, stdout, stderr) = await Kcat.RunAsync($"-L -J -b {sim.BootstrapServers} -m 10", TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, stderr);

        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement root = json.RootElement;
        Assert.Equal(
            cluster.Brokers.Select(b => $"{b.NodeId}@{b.Endpoint}"),
            root.GetProperty("brokers").EnumerateArray().Select(b => $"{b.GetProperty("id").GetInt32()}@{b.GetProperty("name").GetString()}").Order());
        var kcatTopics = root.GetProperty("topics").EnumerateArray()
            .Where(t => !t.GetProperty("topic").GetString()!.StartsWith("__"))
            .ToDictionary(
                t => t.GetProperty("topic").GetString()!,
                t => t.GetProperty("partitions").EnumerateArray()
                    .Select(p => $"{p.GetProperty("partition").GetInt32()}:{p.GetProperty("leader").GetInt32()}:{string.Join(",", p.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()))}")
                    .Order().ToList());
        Assert.Equal(topics.Select(t => t.Name).Order(), kcatTopics.Keys.Order());
        foreach (TopicMetadata topic in topics)
        {
            Assert.Equal(
                topic.Partitions.Select(p => $"{p.Partition}:{p.LeaderId}:{string.Join(",", p.Replicas)}").Order(),
                kcatTopics[topic.Name]);
        }
    }
}
