using System.Diagnostics;
using System.Text;
using System.Text.Json;
using KafkaNative.Client;
using KafkaNative.Producer;
using KafkaNative.Protocol.Compression;

namespace KafkaNative.Bench;

/// <summary>
/// produce [--bootstrap HOST:PORT] --topic T --messages N --size S [--acks all|1|0]
/// [--compression none|gzip|snappy|lz4|zstd] [--rate MSGS_PER_SEC] [--transport pipelines|stream|memory] [--kcat]
/// <para>
/// Produces N values of S bytes that start with their index as 10 zero-padded digits (so a reader can
/// check loss, duplicates and order) through the fire-and-forget path; one in 100 records reports
/// its latency through its delivery callback. Prints one JSON line; with --kcat, kcat runs the same workload
/// against the same cluster first and its figures come on the line before ours. Without --bootstrap a
/// simulated cluster runs in this process (see <see cref="BenchTransport"/>).
/// </para>
/// </summary>
internal static class ProduceBenchmark
{
    private const int LatencySampleEvery = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = new BenchArguments(args, new HashSet<string> { "--kcat" });
        string topic = arguments.Required("--topic");
        int messages = checked((int)arguments.Number("--messages", 1_000_000));
        int size = checked((int)arguments.Number("--size", 100));
        if (size < 10) throw new ArgumentException("--size must be at least 10 (the index prefix).");
        string acksText = arguments.Optional("--acks", "all");
        Acks acks = acksText switch { "all" or "-1" => Acks.All, "1" => Acks.Leader, "0" => Acks.None, _ => throw new ArgumentException($"--acks must be all, 1 or 0, not '{acksText}'.") };
        string codecText = arguments.Optional("--compression", "none");
        CompressionType codec = Enum.TryParse(codecText, ignoreCase: true, out CompressionType parsed) && Enum.IsDefined(parsed)
            ? parsed : throw new ArgumentException($"--compression must be none, gzip, snappy, lz4 or zstd, not '{codecText}'.");
        long rate = arguments.Number("--rate", 0);
        await using BenchTransport transport = await BenchTransport.OpenAsync(arguments);

        if (arguments.Has("--kcat"))
            Console.WriteLine(JsonSerializer.Serialize(await RunKcatAsync(transport.Bootstrap, topic + "-kcat", messages, size, acksText, codecText)));
        Console.WriteLine(JsonSerializer.Serialize(await RunOursAsync(transport.Bootstrap, transport.Transport, topic, messages, size, acks, codec, rate)));
        return 0;
    }

    private static async Task<Dictionary<string, object>> RunOursAsync(string bootstrap, IKafkaTransport transport, string topic, int messages, int size, Acks acks, CompressionType codec, long rate)
    {
        // Every value prepared up front, so the loop hands over memory and allocates nothing itself.
        byte[] values = new byte[(long)messages * size <= Array.MaxLength ? messages * size : throw new ArgumentException("--messages × --size is too large for one run.")];
        for (int i = 0; i < messages; i++) BenchValues.Fill(values.AsSpan(i * size, size), i);

        var options = new ProducerOptions
        {
            BootstrapServers = bootstrap,
            Transport = transport,
            Acks = acks,
            EnableIdempotence = acks == Acks.All,
            Compression = codec,
            Linger = TimeSpan.FromMilliseconds(5),
            BatchSize = 1_000_000,
            BufferMemory = 64L * 1024 * 1024,
        };
        await using var producer = new KafkaProducer<byte[], ReadOnlyMemory<byte>>(options);
        // Warm up outside the measurement (connections, metadata, JIT, pooled buffers grown to batch
        // size) on a topic of its own, so the measured topic holds each index exactly once.
        Action<DeliveryReport> ignore = _ => { };
        for (int i = 0; i < Math.Min(messages, 200_000); i++)
            await producer.EnqueueAsync(topic + "-warmup", null, values.AsMemory(i * size, size), onDelivery: ignore);
        await producer.FlushAsync();

        long failed = 0;
        Action<DeliveryReport> onDelivery = report => { if (!report.Succeeded) Interlocked.Increment(ref failed); };
        // One in 100 records carries its own callback, made before the clock starts, that records its latency.
        int sampleCount = (messages + LatencySampleEvery - 1) / LatencySampleEvery;
        var latencies = new double[sampleCount];
        var started = new long[sampleCount];
        var sampleCallbacks = new Action<DeliveryReport>[sampleCount];
        for (int s = 0; s < sampleCount; s++)
        {
            int slot = s;
            sampleCallbacks[s] = report =>
            {
                latencies[slot] = Stopwatch.GetElapsedTime(started[slot]).TotalMilliseconds;
                onDelivery(report);
            };
        }

        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < messages; i++)
        {
            if (rate > 0 && i % 100 == 0)
            {
                long due = i * 1000L / rate;
                long ahead = due - clock.ElapsedMilliseconds;
                if (ahead > 0) await Task.Delay((int)ahead);
            }
            Action<DeliveryReport> callback = onDelivery;
            if (i % LatencySampleEvery == 0)
            {
                started[i / LatencySampleEvery] = Stopwatch.GetTimestamp();
                callback = sampleCallbacks[i / LatencySampleEvery];
            }
            await producer.EnqueueAsync(topic, null, values.AsMemory(i * size, size), onDelivery: callback);
        }
        await producer.FlushAsync();
        double seconds = clock.Elapsed.TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        Array.Sort(latencies, 0, sampleCount);
        return Result("kafkanative", messages - failed, failed, seconds, size, cpu, messages)
            .With("allocBytesPerMsg", Math.Round((double)allocated / messages, 2))
            .With("p50Ms", Math.Round(latencies[sampleCount / 2], 3))
            .With("p99Ms", Math.Round(latencies[Math.Min(sampleCount - 1, sampleCount * 99 / 100)], 3));
    }

    private static async Task<Dictionary<string, object>> RunKcatAsync(string bootstrap, string topic, int messages, int size, string acks, string codec)
    {
        string file = Path.Combine(Path.GetTempPath(), $"kafkanative-bench-{Environment.ProcessId}.txt");
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
        {
            var line = new byte[size];
            for (int i = 0; i < messages; i++)
            {
                BenchValues.Fill(line, i);
                await writer.WriteLineAsync(Encoding.ASCII.GetString(line));
            }
        }
        try
        {
            string arguments = $"-P -b {bootstrap} -t {topic} -l {file} -X linger.ms=5 -X batch.size=1000000 -X acks={acks} " +
                $"-X enable.idempotence={(acks is "all" or "-1" ? "true" : "false")} -X compression.codec={codec} -X queue.buffering.max.kbytes=65536";
            var start = new ProcessStartInfo("kcat", arguments) { RedirectStandardError = true, UseShellExecute = false };
            TimeSpan cpuBefore = ChildProcessCpu.Total();
            var clock = Stopwatch.StartNew();
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start");
            string errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            double seconds = clock.Elapsed.TotalSeconds;
            TimeSpan cpu = ChildProcessCpu.Total() - cpuBefore;
            if (process.ExitCode != 0) throw new InvalidOperationException($"kcat failed ({process.ExitCode}): {errors}");
            return Result("kcat", messages, 0, seconds, size, cpu, messages);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Dictionary<string, object> Result(string client, long delivered, long failed, double seconds, int size, TimeSpan cpu, int messages) => new()
    {
        ["client"] = client,
        ["messages"] = delivered,
        ["failed"] = failed,
        ["seconds"] = Math.Round(seconds, 3),
        ["msgsPerSec"] = Math.Round(delivered / seconds),
        ["mbPerSec"] = Math.Round(delivered * (double)size / seconds / 1e6, 2),
        ["cpuUsPerMsg"] = Math.Round(cpu.TotalMicroseconds / messages, 3),
    };

    private static Dictionary<string, object> With(this Dictionary<string, object> result, string name, object value)
    {
        result[name] = value;
        return result;
    }
}
