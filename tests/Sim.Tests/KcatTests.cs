using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;

namespace KafkaNative.Sim.Tests;

/// <summary>kcat (librdkafka 2.x) against in-process clusters: the cluster must work for a real client.</summary>
public sealed partial class KcatTests
{
    private static readonly TimeSpan KcatTimeout = TimeSpan.FromSeconds(60);

    private static async Task<List<string>> ConsumeAllAsync(SimulatedCluster cluster, string topic)
    {
        Kcat.Result result = await Kcat.RunAsync($"-b {cluster.BootstrapServers} -C -t {topic} -e -o beginning -q -f %s\\n", KcatTimeout);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    [SkippableTheory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Produces_and_consumes_100k_messages_byte_identical(string codec)
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        var random = new Random(codec.GetHashCode(StringComparison.Ordinal));
        string[] messages = Enumerable.Range(0, 100_000)
            .Select(i => $"{i:D6}-{codec}-" + new string((char)('a' + random.Next(26)), random.Next(1, 40)) + random.NextInt64())
            .ToArray();
        string file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, messages);
        try
        {
            string topic = $"codec-{codec}";
            Kcat.Result produced = await Kcat.RunAsync($"-b {cluster.BootstrapServers} -P -t {topic} -z {codec} -X acks=all -X linger.ms=5 -l {file}", KcatTimeout);
            Assert.True(produced.ExitCode == 0, produced.Stderr);

            List<string> consumed = await ConsumeAllAsync(cluster, topic);
            Assert.Equal(messages.Length, consumed.Count);
            Assert.Equal(messages.Order(StringComparer.Ordinal), consumed.Order(StringComparer.Ordinal));
            long stored = Enumerable.Range(0, 6).Sum(p => cluster.HighWatermark(topic, p));
            Assert.Equal(messages.Length, stored);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public async Task Two_balanced_consumers_split_the_partitions_and_read_every_message_once()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("shared", 6);
        string args = $"-b {cluster.BootstrapServers} -G splitters -u -o beginning -f %p:%s\\n -X heartbeat.interval.ms=200 -X session.timeout.ms=6000 shared";
        using Process first = Kcat.Start(args, redirectStdin: false);
        using Process second = Kcat.Start(args, redirectStdin: false);
        var consumers = new[] { new ConsumerOutput(first), new ConsumerOutput(second) };
        try
        {
            // Produce only once both hold disjoint halves, so each must read its own partitions.
            await WaitUntilAsync(() => consumers.All(c => c.Assigned.Count > 0) &&
                consumers.Sum(c => c.Assigned.Count) == 6 && consumers.SelectMany(c => c.Assigned).Distinct().Count() == 6, TimeSpan.FromSeconds(30),
                () => string.Join("\n---\n", consumers.Select(c => c.Log.ToString())));

            string[] messages = Enumerable.Range(0, 20_000).Select(i => $"m{i:D5}").ToArray();
            string file = Path.GetTempFileName();
            // Keyed, so the messages hash over every partition instead of sticking to a few.
            await File.WriteAllLinesAsync(file, messages.Select(m => $"{m}:{m}"));
            Kcat.Result produced = await Kcat.RunAsync($"-b {cluster.BootstrapServers} -P -t shared -K : -X acks=all -l {file}", KcatTimeout);
            File.Delete(file);
            Assert.True(produced.ExitCode == 0, produced.Stderr);

            await WaitUntilAsync(() => consumers.Sum(c => c.Messages.Count) >= messages.Length, TimeSpan.FromSeconds(30),
                () => string.Join("\n---\n", consumers.Select(c => c.Log.ToString())));
            // A message read twice before the last original would have pushed the count past the total; nothing rebalances after.
            var all = consumers.SelectMany(c => c.Messages).ToList();
            Assert.Equal(messages.Length, all.Count);
            Assert.Equal(messages, all.Select(m => m.Value).Order(StringComparer.Ordinal));
            foreach (ConsumerOutput consumer in consumers)
            {
                Assert.NotEmpty(consumer.Messages);
                Assert.All(consumer.Messages, m => Assert.Contains(m.Partition, consumer.Assigned));
            }
        }
        finally
        {
            foreach (Process process in new[] { first, second })
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Acks_all_loses_no_acknowledged_message_while_a_broker_stops_or_crashes_and_restarts(bool crash)
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { MinInSyncReplicas = 2, BrokerSessionTimeout = TimeSpan.FromSeconds(1) });
        await cluster.CreateTopicAsync("durable", 6);
        const int total = 30_000;
        using Process producer = Kcat.Start(
            $"-b {cluster.BootstrapServers} -P -t durable -X acks=all -X enable.idempotence=true -X linger.ms=5 -v -v -v", redirectStdin: true);
        Task<string> stdout = producer.StandardOutput.ReadToEndAsync();
        Task<string> stderr = producer.StandardError.ReadToEndAsync();
        try
        {
            for (int i = 0; i < total; i++)
            {
                await producer.StandardInput.WriteLineAsync($"durable-{i:D6}");
                if (i % 500 != 499) continue;
                await producer.StandardInput.FlushAsync();
                await Task.Delay(20);
                if (i == total / 3 - 1) await (crash ? cluster.KillBrokerAsync(1) : cluster.StopBrokerAsync(1));
                if (i == 2 * total / 3 - 1) await cluster.StartBrokerAsync(1);
            }
            producer.StandardInput.Close();
            using var cts = new CancellationTokenSource(KcatTimeout);
            await producer.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!producer.HasExited) producer.Kill(entireProcessTree: true);
        }
        string log = await stderr;
        await stdout;
        int delivered = DeliveredReport().Matches(log).Count;
        int failed = Regex.Matches(log, "Delivery failed").Count;
        Assert.True(producer.ExitCode == 0, log[^Math.Min(log.Length, 2000)..]);

        // Every acknowledged message is there exactly once (idempotence dedups retries after the failover).
        await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(15));
        List<string> consumed = await ConsumeAllAsync(cluster, "durable");
        Assert.Equal(0, failed);
        Assert.Equal(total, delivered);
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"durable-{i:D6}"), consumed.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task Balanced_consumers_keep_their_generation_and_read_nothing_twice_when_the_coordinator_stops()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("shared", 6);
        const string group = "steady";
        int coordinator = cluster.CoordinatorOf(group);
        string args = $"-b {cluster.BootstrapServers} -G {group} -u -o beginning -f %p:%s\\n -X heartbeat.interval.ms=200 -X session.timeout.ms=6000 -X auto.commit.interval.ms=100 shared";
        using Process first = Kcat.Start(args, redirectStdin: false);
        using Process second = Kcat.Start(args, redirectStdin: false);
        var consumers = new[] { new ConsumerOutput(first), new ConsumerOutput(second) };
        string Logs() => string.Join("\n---\n", consumers.Select(c => c.Log.ToString()));
        try
        {
            await WaitUntilAsync(() => consumers.All(c => c.Assigned.Count > 0) && consumers.SelectMany(c => c.Assigned).Distinct().Count() == 6, TimeSpan.FromSeconds(30), Logs);
            string[] before = await ProduceKeyedAsync(cluster, "before", 10_000);
            await WaitUntilAsync(() => consumers.Sum(c => c.Messages.Count) >= before.Length, TimeSpan.FromSeconds(30), Logs);
            // Every position is committed before the coordinator goes: nothing may be read again.
            await using (KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, coordinator))
            {
                await WaitUntilAsync(async () => await CommittedTotalAsync(client, group) == before.Length, TimeSpan.FromSeconds(30), Logs);
            }
            int rebalances = consumers.Sum(c => c.Rebalances);

            await cluster.StopBrokerAsync(coordinator);
            string[] after = await ProduceKeyedAsync(cluster, "after", 10_000);
            await WaitUntilAsync(() => consumers.Sum(c => c.Messages.Count(m => m.Value.StartsWith("after", StringComparison.Ordinal))) >= after.Length, TimeSpan.FromSeconds(60), Logs);

            // Each partition is read in order, so a re-read of the first batch would have come before the second.
            var read = consumers.SelectMany(c => c.Messages).Select(m => m.Value).ToList();
            Assert.Equal(before, read.Where(v => v.StartsWith("before", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            Assert.Equal(after, read.Where(v => v.StartsWith("after", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal));
            Assert.True(rebalances == consumers.Sum(c => c.Rebalances), "the consumers rebalanced after the coordinator moved:\n" + Logs());
        }
        finally
        {
            foreach (Process process in new[] { first, second })
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    /// <summary>Produces keyed messages (spread over every partition) with acks=all; returns them in order.</summary>
    private static async Task<string[]> ProduceKeyedAsync(SimulatedCluster cluster, string prefix, int count)
    {
        string[] messages = Enumerable.Range(0, count).Select(i => $"{prefix}{i:D5}").ToArray();
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(file, messages.Select(m => $"{m}:{m}"));
            Kcat.Result produced = await Kcat.RunAsync($"-b {cluster.BootstrapServers} -P -t shared -K : -X acks=all -l {file}", KcatTimeout);
            Assert.True(produced.ExitCode == 0, produced.Stderr);
            return messages;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The sum of the group's committed offsets on "shared" (the records it has finished with).</summary>
    private static async Task<long> CommittedTotalAsync(KafkaTestClient client, string group)
    {
        OffsetFetchResponse fetched = await client.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest { GroupId = group, Topics = null }, 7);
        return fetched.Topics.Where(t => t.Name == "shared").SelectMany(t => t.Partitions).Sum(p => Math.Max(0, p.CommittedOffset));
    }

    [SkippableFact]
    public async Task Sasl_scram_and_tls_listeners_work_with_kcat()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options(brokers: 1) with
        {
            TlsCertificate = certificate,
            SaslUsers = new Dictionary<string, string> { ["kcat"] = "kcat-secret" },
        });
        string secure = $"-b {cluster.BootstrapServers} -X security.protocol=SASL_SSL -X enable.ssl.certificate.verification=false -X sasl.username=kcat -X sasl.password=kcat-secret";
        foreach (string mechanism in new[] { "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512" })
        {
            Kcat.Result listed = await Kcat.RunAsync($"{secure} -X sasl.mechanisms={mechanism} -L", KcatTimeout);
            Assert.True(listed.ExitCode == 0, listed.Stderr);
            Assert.Contains("1 brokers", listed.Stdout);
        }
        Kcat.Result rejected = await Kcat.RunAsync(
            $"-b {cluster.BootstrapServers} -X security.protocol=SASL_SSL -X enable.ssl.certificate.verification=false -X sasl.mechanisms=SCRAM-SHA-256 -X sasl.username=kcat -X sasl.password=wrong -L -m 3",
            KcatTimeout);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("Authentication failed", rejected.Stderr);
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string>? diagnostics = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, diagnostics);

    private static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string>? diagnostics = null) =>
        Eventually.TrueAsync(condition, () => "the condition. " + diagnostics?.Invoke(), timeout);

    [GeneratedRegex("Message delivered to partition")]
    private static partial Regex DeliveredReport();

    /// <summary>Collects what a kcat balanced consumer prints: its latest assignment and the messages it read.</summary>
    private sealed partial class ConsumerOutput
    {
        private readonly object _lock = new();
        private List<int> _assigned = new();
        private readonly List<(int Partition, string Value)> _messages = new();
        private int _rebalances;

        public ConsumerOutput(Process process)
        {
            process.OutputDataReceived += (_, e) =>
            {
                int colon = e.Data?.IndexOf(':') ?? -1;
                if (colon < 0) return;
                string line = e.Data!;
                lock (_lock) _messages.Add((int.Parse(line[..colon]), line[(colon + 1)..]));
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } text) lock (_lock) Log.AppendLine(text);
                if (e.Data is not { } line || !line.Contains("rebalanced")) return;
                var partitions = AssignedPartition().Matches(line).Select(m => int.Parse(m.Groups[1].Value)).ToList();
                lock (_lock)
                {
                    _assigned = line.Contains("assigned:") ? partitions : new List<int>();
                    _rebalances++;
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public StringBuilder Log { get; } = new();

        public List<int> Assigned
        {
            get { lock (_lock) return _assigned.ToList(); }
        }

        public List<(int Partition, string Value)> Messages
        {
            get { lock (_lock) return _messages.ToList(); }
        }

        /// <summary>Assignments and revocations kcat reported.</summary>
        public int Rebalances
        {
            get { lock (_lock) return _rebalances; }
        }

        [GeneratedRegex(@"shared \[(\d+)\]")]
        private static partial Regex AssignedPartition();
    }
}
