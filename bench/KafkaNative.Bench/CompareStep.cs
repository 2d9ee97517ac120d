using System.Text.Json;
using KafkaNative.Sim;
using KafkaNative.TestSupport;

namespace KafkaNative.Bench;

/// <summary>
/// One client's run in <c>compare</c>: a fresh 3-broker simulated cluster in this process, the topic created
/// (replication factor 3) and, for consume, filled by our producer first; then the client as a child process
/// (<see cref="TimedChild"/>) while this process only waits, so this process's CPU meanwhile is the cluster's.
/// Afterwards the count is checked: records stored for produce, records read for consume.
/// </summary>
internal sealed class CompareStep(CompareSettings settings, string workDirectory)
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(15);

    /// <summary>kcat -P reads its values from this file, one a line, written once before the first step.</summary>
    public string KcatInputFile => Path.Combine(workDirectory, "kcat-values.txt");

    public async Task<StepResult> RunAsync(string client, int round, int position)
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 });
        ClientSettings run = settings.For(client, cluster.BootstrapServers, $"compare-{round}-{client}", WarmupFor(client));
        await cluster.CreateTopicAsync(run.Topic, settings.Partitions);
        if (run.Warmup > 0) await cluster.CreateTopicAsync(run.WarmupTopic, settings.Partitions);
        if (settings.Workload == "consume") await FillAsync(run);
        await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(30));
        // Leave the set-up's garbage behind, so the cluster's CPU during the step is the step's.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        string stdoutFile = Path.Combine(workDirectory, $"step-{round}-{position}-{client}.out");
        (string program, IEnumerable<string> arguments) = Command(run);
        long requestsBefore = DataRequests(cluster);
        ChildOutcome outcome = await TimedChild.RunAsync(program, arguments, stdoutFile, ChildTimeout);
        long requests = DataRequests(cluster) - requestsBefore;
        try
        {
            (InLoopFigures? inLoop, long counted, string? error) = await CheckAsync(run, outcome, stdoutFile, cluster);
            return new StepResult(round, position, client, settings.Workload, settings.Messages, settings.Size, settings.Compression, settings.Partitions,
                error is null, error, counted, outcome.WallSeconds, outcome.CpuSeconds, outcome.PeakRssKiB, outcome.OwnCpuSeconds, inLoop, requests, run.Transactions);
        }
        finally
        {
            File.Delete(stdoutFile);
        }
    }

    /// <summary>Produce or Fetch requests the cluster has received: how many round trips the client needed.</summary>
    private long DataRequests(SimulatedCluster cluster)
    {
        Protocol.ApiKey api = settings.Workload == "produce" ? Protocol.ApiKey.Produce : Protocol.ApiKey.Fetch;
        return Enumerable.Range(0, 3).Sum(broker => cluster.RequestCount(broker, api));
    }

    /// <summary>Writes kcat's input: N values, one a line. Outside any measurement.</summary>
    public async Task WriteKcatInputAsync()
    {
        await using var file = new FileStream(KcatInputFile, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var line = new byte[settings.Size + 1];
        line[^1] = (byte)'\n';
        for (int i = 0; i < settings.Messages; i++)
        {
            BenchValues.Fill(line.AsSpan(0, settings.Size), i);
            await file.WriteAsync(line);
        }
    }

    // kcat cannot warm up outside its timing: its whole run is one process reading one file.
    private int WarmupFor(string client) => client == "kcat" ? 0 : settings.Warmup;

    private static async Task FillAsync(ClientSettings client)
    {
        InLoopFigures filled = await KafkaNativeClient.ProduceAsync(client with { Client = "kafkanative", Warmup = 0 });
        if (filled.Failed > 0) throw new InvalidOperationException($"Filling {client.Topic}: {filled.Failed} records failed.");
    }

    private static string DotnetHost =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private (string Program, IEnumerable<string> Arguments) Command(ClientSettings client) => (client.Client, client.Workload) switch
    {
        ("kcat", "produce") => (Kcat.Path,
        [
            "-P", "-b", client.Bootstrap, "-t", client.Topic, "-l", KcatInputFile,
            "-X", "linger.ms=5", "-X", "batch.size=1000000", "-X", "acks=all", "-X", "enable.idempotence=true",
            "-X", $"compression.codec={client.Compression}", "-X", "queue.buffering.max.kbytes=65536",
        ]),
        ("kcat", _) => (Kcat.Path, ["-C", "-b", client.Bootstrap, "-t", client.Topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n"]),
        ("kafkanative-aot", _) => (PublishedClientPath("publish", ""), client.ToArguments()),
        ("kafkanative-r2r", _) => (PublishedClientPath("r2r", R2rPublishOptions), client.ToArguments()),
        _ => (DotnetHost, client.ToArguments().Prepend(typeof(Program).Assembly.Location)),
    };

    private const string R2rPublishOptions = " -p:PublishAot=false -p:PublishReadyToRun=true -p:SelfContained=false -o bench/KafkaNative.Bench.Aot/bin/Release/net10.0/linux-x64/r2r";

    /// <summary>
    /// Our client published from bench/KafkaNative.Bench.Aot, beside this project's build: with NativeAOT
    /// (folder "publish"), or JIT-run but precompiled with ReadyToRun (folder "r2r").
    /// </summary>
    private static string PublishedClientPath(string folder, string publishOptions)
    {
        string bench = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
        string path = Path.Combine(bench, "KafkaNative.Bench.Aot", "bin", "Release", "net10.0", "linux-x64", folder, "KafkaNative.Bench.Aot");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: dotnet publish bench/KafkaNative.Bench.Aot -c Release -r linux-x64{publishOptions}");
    }

    private static async Task<(InLoopFigures? InLoop, long Counted, string? Error)> CheckAsync(
        ClientSettings client, ChildOutcome outcome, string stdoutFile, SimulatedCluster cluster)
    {
        InLoopFigures? inLoop = null;
        long counted;
        string? audit = null;
        if (client.Client == "kcat" && client.Workload == "consume")
            counted = await CountLinesAsync(stdoutFile);
        else if (client.Transactional)
            // Markers and aborted records take offsets too: read what a read_committed reader sees instead.
            (counted, audit) = await TransactionCheck.RunAsync(cluster, client, outcome.ExitCode == 0);
        else if (client.Workload == "produce")
            // Idempotent and not transactional: the high watermarks add up to the records stored.
            counted = Enumerable.Range(0, client.Partitions).Sum(p => cluster.HighWatermark(client.Topic, p));
        else
            counted = -1;
        if (client.Client != "kcat")
        {
            string? line = File.ReadLines(stdoutFile).LastOrDefault(l => l.StartsWith('{'));
            inLoop = line is null ? null : JsonSerializer.Deserialize<InLoopFigures>(line, ClientCommand.Json);
            if (client.Workload == "consume") counted = inLoop?.Messages ?? 0;
        }

        long expected = client.Workload == "produce" ? client.VisibleRecords : client.Messages;
        string? error =
            outcome.ExitCode != 0 ? $"exit code {outcome.ExitCode}: {Tail(outcome.Stderr)}"
            : audit is not null ? $"{audit} {Tail(outcome.Stderr)}"
            : counted != expected ? $"counted {counted} records, not {expected}: {Tail(outcome.Stderr)}"
            : client.Client != "kcat" && inLoop is null ? $"no figures printed: {Tail(outcome.Stderr)}"
            : inLoop is not null && inLoop.Transactions != client.Transactions ? $"ran {inLoop.Transactions} transactions, not {client.Transactions}"
            : null;
        return (inLoop, counted, error);
    }

    private static async Task<long> CountLinesAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var buffer = new byte[1 << 20];
        long lines = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0) lines += buffer.AsSpan(0, read).Count((byte)'\n');
        return lines;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : "…" + text[^2000..].Trim();
}
