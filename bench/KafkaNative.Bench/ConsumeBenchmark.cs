using System.Diagnostics;
using System.Text.Json;
using KafkaNative.Client;
using KafkaNative.Consumer;

namespace KafkaNative.Bench;

/// <summary>
/// <c>consume --bootstrap HOST:PORT --topic T --messages N [--group G] [--transport pipelines|stream] [--kcat]</c>: reads N messages from
/// the beginning with <see cref="KafkaConsumer{TKey, TValue}"/> (keys ignored, values copied to byte arrays)
/// and prints one JSON line of figures; with <c>--kcat</c>, kcat reads the same messages in the same run
/// (output to /dev/null, its CPU time from bash's <c>times</c>) and its figures go in the same object.
/// </summary>
internal static class ConsumeBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args, new HashSet<string> { "--kcat" });
        string bootstrap = arguments.Required("--bootstrap");
        string topic = arguments.Required("--topic");
        long messages = arguments.Number("--messages", 0);
        if (messages <= 0) throw new ArgumentException("--messages must be at least 1.");
        string? group = arguments.Has("--group") ? arguments.Required("--group") : null;
        bool kcat = arguments.Has("--kcat");
        // A cluster of its own would be empty: consume reads what produce left in a running one.
        await using BenchTransport transport = await BenchTransport.OpenAsync(arguments);

        var figures = new Dictionary<string, object?>();
        Ours ours = await RunOursAsync(bootstrap, transport.Transport, topic, messages, group).ConfigureAwait(false);
        figures["client"] = "kafkanative";
        figures["messages"] = ours.Messages;
        figures["bytes"] = ours.Bytes;
        figures["seconds"] = Math.Round(ours.Seconds, 3);
        figures["msgsPerSec"] = Math.Round(ours.Messages / ours.Seconds);
        figures["mbPerSec"] = Math.Round(ours.Bytes / ours.Seconds / 1e6, 2);
        figures["cpuUsPerMsg"] = Math.Round(ours.CpuSeconds * 1e6 / ours.Messages, 3);
        figures["allocBytesPerMsg"] = Math.Round((double)ours.AllocatedBytes / ours.Messages, 1);

        if (kcat)
        {
            (double seconds, double cpu) = await RunKcatAsync(bootstrap, topic, messages).ConfigureAwait(false);
            figures["kcatSeconds"] = Math.Round(seconds, 3);
            figures["kcatMsgsPerSec"] = Math.Round(messages / seconds);
            figures["kcatCpuUsPerMsg"] = Math.Round(cpu * 1e6 / messages, 3);
            figures["msgsPerSecRatio"] = Math.Round(ours.Messages / ours.Seconds / (messages / seconds), 2);
        }
        Console.WriteLine(JsonSerializer.Serialize(figures));
        return 0;
    }

    private sealed record Ours(long Messages, long Bytes, double Seconds, double CpuSeconds, long AllocatedBytes);

    private static async Task<Ours> RunOursAsync(string bootstrap, IKafkaTransport transport, string topic, long messages, string? group)
    {
        var options = new ConsumerOptions
        {
            BootstrapServers = bootstrap,
            Transport = transport,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = group is not null,
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
            MaxProcessingTime = TimeSpan.FromSeconds(1),
        };
        int partitions;
        await using (var cluster = new KafkaCluster(new KafkaClientOptions { BootstrapServers = bootstrap, Transport = transport }))
        {
            TopicMetadata metadata = await cluster.GetTopicAsync(topic).ConfigureAwait(false);
            if (metadata.Error != Protocol.ErrorCode.None) throw new InvalidOperationException($"Topic {topic}: {metadata.Error}");
            partitions = metadata.Partitions.Count;
        }

        await using var consumer = new KafkaConsumer<object?, byte[]?>(options, Deserializers.Ignore, Deserializers.ByteArray);
        if (group is null)
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, TopicPartitionOffset.Beginning)));
        else
            consumer.Subscribe([topic]);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var process = Process.GetCurrentProcess();
        long count = 0, bytes = 0;
        Stopwatch clock = Stopwatch.StartNew();
        TimeSpan cpuStart = process.TotalProcessorTime;
        long allocStart = GC.GetTotalAllocatedBytes(precise: true);
        await foreach (ConsumeResult<object?, byte[]?> message in consumer.ConsumeAsync(timeout.Token).ConfigureAwait(false))
        {
            bytes += message.Value?.Length ?? 0;
            if (++count >= messages) break;
        }
        clock.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocStart;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        return new Ours(count, bytes, clock.Elapsed.TotalSeconds, cpu, allocated);
    }

    /// <summary>Runs kcat on the same data; its CPU is what this process's finished children used.</summary>
    private static async Task<(double Seconds, double CpuSeconds)> RunKcatAsync(string bootstrap, string topic, long messages)
    {
        var start = new ProcessStartInfo("kcat", $"-C -b {bootstrap} -t {topic} -e -o beginning -q -c {messages}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        TimeSpan cpuBefore = ChildProcessCpu.Total();
        Stopwatch clock = Stopwatch.StartNew();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start");
        // Drain both pipes so kcat never blocks on a full one; what it printed is not needed.
        Task output = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, timeout.Token);
        Task<string> errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        clock.Stop();
        await output.ConfigureAwait(false);
        string stderr = await errors.ConfigureAwait(false);
        if (process.ExitCode != 0) throw new InvalidOperationException($"kcat failed ({process.ExitCode}): {stderr}");
        return (clock.Elapsed.TotalSeconds, (ChildProcessCpu.Total() - cpuBefore).TotalSeconds);
    }
}
