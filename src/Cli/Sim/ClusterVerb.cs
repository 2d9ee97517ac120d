using System.CommandLine;
using KafkaNative.Cli;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>
/// <c>cluster</c>: runs a simulated cluster until SIGINT or SIGTERM, prints <c>bootstrap=host:port,...</c> on stdout once
/// every broker accepts connections, and plays a <c>--chaos</c> fault schedule.
/// </summary>
internal static class ClusterVerb
{
    /// <summary>Most brokers and partitions the CLI lets one cluster have: beyond that a laptop only thrashes.</summary>
    private const int MaxBrokers = 64, MaxPartitions = 10_000;

    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = $"Number of brokers (ids 0..N-1), 1 to {MaxBrokers}", DefaultValueFactory = _ => 3 };
        brokers.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > MaxBrokers) r.AddError($"--brokers must be 1 to {MaxBrokers}"); });
        var port = new Option<int>("--port") { Description = "Port of broker 0; the others use the next ports (0 = ephemeral)", DefaultValueFactory = _ => 19092 };
        port.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError($"--port must be 0 to 65535, got {r.GetValueOrDefault<int>()}"); });
        var partitions = new Option<int>("--partitions") { Description = $"Partition count of auto-created topics, 1 to {MaxPartitions}", DefaultValueFactory = _ => 6 };
        partitions.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > MaxPartitions) r.AddError($"--partitions must be 1 to {MaxPartitions}, got {r.GetValueOrDefault<int>()}"); });
        var arch = new Option<FileInfo?>("--arch") { Description = "JSON architecture file (brokers, zones, topics)" };
        var chaos = new Option<string?>("--chaos") { Description = "Fault schedule, e.g. stop:1@2s,start:1@5s,kill:2@8s,start:2@20s,latency:2=200ms@1s,stall:0@3s,drop:1@4s,leader:orders/0=2@6s (stop = controlled shutdown, kill = crash)" };
        var sessionTimeout = new Option<string>("--broker-session-timeout") { Description = "How long a killed broker stays leader in metadata before it is fenced, e.g. 9s or 500ms", DefaultValueFactory = _ => "9s" };
        var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 0 };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least severe log level written to stderr", DefaultValueFactory = _ => LogLevel.Information };

        var command = new Command("cluster", "Run a simulated Kafka cluster until SIGINT or SIGTERM") { brokers, port, partitions, arch, chaos, sessionTimeout, seed, logLevel };
        command.SetAction((result, ct) => RunAsync(
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
            result.GetValue(sessionTimeout)!,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ClusterOptions options, string? chaosSpec, string sessionTimeout, CancellationToken stop)
    {
        ILogger logger = options.LoggerFactory!.CreateLogger("KafkaNative.Sim");
        if (options.BasePort > 0 && options.BasePort + options.Brokers - 1 > 65535)
            throw new UsageException($"--port {options.BasePort} leaves no room for {options.Brokers} brokers: the last port would be {options.BasePort + options.Brokers - 1}");
        IReadOnlyList<ChaosEvent> schedule;
        try
        {
            options = options with { BrokerSessionTimeout = ChaosSchedule.ParseDuration(sessionTimeout, "--broker-session-timeout") };
            schedule = chaosSpec is null ? [] : ChaosSchedule.Parse(chaosSpec, options.ArchitectureFile is null ? options.Brokers : Architecture.Load(options).Brokers.Count);
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            throw new UsageException(ex.Message);
        }

        SimulatedCluster cluster;
        try
        {
            cluster = await SimulatedCluster.StartAsync(options, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FormatException or IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new CliFailure(ex.Message);
        }
        await using (cluster.ConfigureAwait(false))
        {
            Console.Out.WriteLine($"bootstrap={cluster.BootstrapServers}");
            Console.Out.Flush();
            Task chaosRun = new ChaosRunner(cluster, schedule, logger).RunAsync(stop);
            try
            {
                await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
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
        return ExitCodes.Success;
    }
}
