using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using KafkaNative.Client;
using KafkaNative.Sim;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

public class KcatInteropTests
{
    [SkippableTheory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task ReadsByteIdentical_WhatKcatProduced(string codec)
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        string topic = $"codec-{codec}";
        await sim.CreateTopicAsync(topic, 1, 1);
        var lines = Enumerable.Range(0, 300).Select(i => (Key: $"key{i}", Value: $"value-{i}-" + new string((char)('a' + i % 26), i % 200) + "é✓")).ToList();
        string input = string.Join("\n", lines.Select(l => $"{l.Key}:{l.Value}")) + "\n";
        var (exit, _, errors) = await Kcat.RunAsync($"-P -b {sim.BootstrapServers} -t {topic} -p 0 -z {codec} -K : -X linger.ms=5", input, TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, errors);

        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(Options(sim));
        consumer.Assign([new TopicPartitionOffset(topic, 0, TopicPartitionOffset.Beginning)]);
        using var cts = new CancellationTokenSource(Generous);
        int i = 0;
        await foreach (var message in consumer.ConsumeAsync(cts.Token))
        {
            Assert.Equal(Encoding.UTF8.GetBytes(lines[i].Key), message.Key);
            Assert.Equal(Encoding.UTF8.GetBytes(lines[i].Value), message.Value);
            Assert.Equal(i, message.Offset);
            if (++i == lines.Count) break;
        }
    }

    [SkippableFact]
    public async Task MixedGroup_OurConsumerAndKcat_SplitPartitions_AndReadEveryMessageOnce()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        await using SimulatedCluster sim = await StartAsync();
        const string Topic = "mixed";
        const int Partitions = 4, Messages = 800;
        await sim.CreateTopicAsync(Topic, Partitions, 3);

        var kcatAssigned = 0;
        var kcatValues = new ConcurrentBag<string>();
        var start = new ProcessStartInfo(Kcat.Path,
            $"-b {sim.BootstrapServers} -G g-mixed -u -X auto.offset.reset=earliest -X session.timeout.ms=6000 -X heartbeat.interval.ms=500 -f %s\\n {Topic}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process kcat = Process.Start(start)!;
        try
        {
            kcat.OutputDataReceived += (_, e) => { if (!string.IsNullOrEmpty(e.Data)) kcatValues.Add(e.Data); };
            kcat.ErrorDataReceived += (_, e) =>
            {
                // "% Group g-mixed rebalanced (memberid ...): assigned: mixed [0], mixed [1]"
                if (e.Data is { } line && line.Contains("assigned:", StringComparison.Ordinal))
                    Volatile.Write(ref kcatAssigned, line[(line.IndexOf("assigned:", StringComparison.Ordinal) + 9)..].Split(',', StringSplitOptions.RemoveEmptyEntries).Length);
                else if (e.Data is { } revoked && revoked.Contains("revoked:", StringComparison.Ordinal))
                    Volatile.Write(ref kcatAssigned, 0);
            };
            kcat.BeginOutputReadLine();
            kcat.BeginErrorReadLine();
            await Eventually.TrueAsync(() => Volatile.Read(ref kcatAssigned) == Partitions, "kcat to own every partition");

            ConsumerOptions options = Options(sim, "g-mixed");
            await using var ours = new KafkaConsumer<string?, string?>(options);
            ours.Subscribe([Topic]);
            var ourValues = new ConcurrentBag<string>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            Task reading = Task.Run(async () =>
            {
                await foreach (var message in ours.ConsumeAsync(cts.Token)) ourValues.Add(message.Value!);
            });
            await Eventually.TrueAsync(() => ours.Assignment.Count > 0 && ours.Assignment.Count + Volatile.Read(ref kcatAssigned) == Partitions, "the group to split the partitions");
            Assert.InRange(ours.Assignment.Count, 1, Partitions - 1);

            await using (var producer = new KafkaCluster(new KafkaClientOptions { BootstrapServers = sim.BootstrapServers }))
            {
                for (int p = 0; p < Partitions; p++) await ProduceAsync(producer, Topic, p, 0, Messages / Partitions, $"{p}:");
            }
            await Eventually.TrueAsync(() => ourValues.Count + kcatValues.Count >= Messages, $"every message to be read (ours so far {ourValues.Count}, kcat's {kcatValues.Count})");
            // A duplicate read before the last original would have pushed the count past Messages; no rebalance follows to cause a later one.
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

            var all = ourValues.Concat(kcatValues).ToList();
            Assert.Equal(Messages, all.Count);
            Assert.Equal(Messages, all.Distinct().Count());
            Assert.NotEmpty(ourValues);
            Assert.NotEmpty(kcatValues);
        }
        finally
        {
            if (!kcat.HasExited) kcat.Kill(entireProcessTree: true);
        }
    }
}
