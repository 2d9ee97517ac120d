using KafkaNative.Protocol.Compression;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim;

namespace KafkaNative.Producer.Tests;

/// <summary>librdkafka (through kcat) reads back, byte for byte, what our producer wrote, with every codec.</summary>
public class KcatReadsWhatWeProduceTests
{
    [SkippableTheory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task KcatConsumesOurRecordsByteIdentical(CompressionType codec)
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed (apt-get install -y kcat)");
        await using var cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        await cluster.CreateTopicAsync("readback", 3);
        var sent = Enumerable.Range(0, 3_000).Select(i => ($"key-{i % 97}", $"value-{i:D6}-{new string((char)('a' + i % 26), i % 200)}")).ToList();

        await using (var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers, Compression = codec }))
        {
            foreach (var (key, value) in sent)
                await producer.EnqueueAsync("readback", key, value, [new RecordHeader("codec", "x"u8.ToArray())]);
            await producer.FlushAsync();
        }
        Assert.Contains(cluster.ReadBatches("readback", 0).Concat(cluster.ReadBatches("readback", 1)),
            b => (CompressionType)(b.Span[22] & 7) == codec);

        var (exit, output, errors) = await Kcat.RunAsync(
            $"-C -b {cluster.BootstrapServers} -t readback -e -o beginning -q -f %k=%s|%h\\n", null, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, errors);
        var received = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Equal(sent.Count, received.Count);
        Assert.Equal(sent.Select(r => $"{r.Item1}={r.Item2}|codec=x").Order(), received.Order());
    }
}
