using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>
/// The CLI: <c>cluster</c> runs a simulated cluster until SIGINT or SIGTERM and prints
/// <c>bootstrap=host:port,...</c> once every broker accepts connections; <c>demo</c> produces and
/// consumes through an embedded cluster while a broker fails; <c>storm</c> runs timeout-storm
/// scenarios on a virtual clock (see src/Sim/Storm/README.md).
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // The storm simulator parses its own arguments.
        if (args.FirstOrDefault() == "storm")
        {
            using var interrupted = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                interrupted.Cancel();
            };
            return await Storm.StormCommand.RunAsync(args[1..], Console.Out, interrupted.Token).ConfigureAwait(false);
        }

        var brokers = new Option<int>("--brokers") { Description = "Number of brokers (ids 0..N-1)", DefaultValueFactory = _ => 3 };
        var port = new Option<int>("--port") { Description = "Port of broker 0; the others use the next ports (0 = ephemeral)", DefaultValueFactory = _ => 19092 };
        var partitions = new Option<int>("--partitions") { Description = "Partition count of auto-created topics", DefaultValueFactory = _ => 6 };
        var arch = new Option<FileInfo?>("--arch") { Description = "JSON architecture file (brokers, zones, topics)" };
        var chaos = new Option<string?>("--chaos") { Description = "Fault schedule, e.g. stop:1@2s,start:1@5s,kill:2@8s,start:2@20s,latency:2=200ms@1s,stall:0@3s,drop:1@4s,leader:orders/0=2@6s (stop = controlled shutdown, kill = crash)" };
        var sessionTimeout = new Option<string>("--broker-session-timeout") { Description = "How long a killed broker stays leader in metadata before it is fenced, e.g. 9s or 500ms", DefaultValueFactory = _ => "9s" };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 0 };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least severe log level written to stderr", DefaultValueFactory = _ => LogLevel.Information };

        var cluster = new Command("cluster", "Run a simulated Kafka cluster until SIGINT or SIGTERM") { brokers, port, partitions, arch, chaos, sessionTimeout, seed, logLevel };
        cluster.SetAction((result, ct) => RunClusterAsync(
            new ClusterOptions
            {
                Brokers = result.GetValue(brokers),
                BasePort = result.GetValue(port),
                DefaultPartitions = result.GetValue(partitions),
                ArchitectureFile = result.GetValue(arch)?.FullName,
                Seed = result.GetValue(seed),
                LoggerFactory = new ConsoleLoggerFactory(result.GetValue(logLevel)),
            },
            result.GetValue(chaos),
            result.GetValue(sessionTimeout)!));

        var messages = new Option<int>("--messages") { Description = "Records to produce and consume", DefaultValueFactory = _ => 200_000 };
        var demo = new Command("demo", "Produce and consume through an embedded cluster while a broker fails") { messages };
        demo.SetAction((result, ct) => Demo.RunAsync(result.GetValue(messages), Console.Out, ct));

        var root = new RootCommand("KafkaNative simulator: a Kafka cluster in one process (also: storm --scenario NAME|FILE|all [--clients N] [--seed S] [--out DIR] [--real [--wall-clock] [--seconds S] [--rate R]])") { cluster, demo };
        // Signals are handled below so the cluster shuts down cleanly and the exit code is 0.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    private static async Task<int> RunClusterAsync(ClusterOptions options, string? chaosSpec, string sessionTimeout)
    {
        ILogger logger = options.LoggerFactory!.CreateLogger("KafkaNative.Sim");
        IReadOnlyList<ChaosEvent> schedule;
        try
        {
            options = options with { BrokerSessionTimeout = ChaosSchedule.ParseDuration(sessionTimeout, "--broker-session-timeout") };
            schedule = chaosSpec is null ? [] : ChaosSchedule.Parse(chaosSpec, options.ArchitectureFile is null ? options.Brokers : Architecture.Load(options).Brokers.Count);
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        SimulatedCluster cluster;
        try
        {
            cluster = await SimulatedCluster.StartAsync(options, stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FormatException or IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        await using (cluster.ConfigureAwait(false))
        {
            Console.Out.WriteLine($"bootstrap={cluster.BootstrapServers}");
            Console.Out.Flush();
            Task chaosRun = new ChaosRunner(cluster, schedule, logger).RunAsync(stop.Token);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            try
            {
                await chaosRun.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            logger.LogInformation("Shutting down");
        }
        return 0;
    }
}
