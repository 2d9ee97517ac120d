using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KafkaNative.Sim.Tests.Support;

namespace KafkaNative.Sim.Tests;

/// <summary>The real CLI, started from the built assembly, as scripts and other tools will run it.</summary>
public sealed class CliTests
{
    [SkippableFact]
    public async Task Cluster_verb_prints_bootstrap_serves_kcat_and_exits_zero_on_sigterm()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        string dll = Path.Combine(AppContext.BaseDirectory, "KafkaNative.Cli.dll");
        string arch = Path.GetTempFileName();
        await File.WriteAllTextAsync(arch, """{ "arch": "cli-test", "brokers": 3, "topics": [ { "name": "orders", "partitions": 4, "replicationFactor": 3 } ] }""");
        int port = FreeConsecutivePorts(3);
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" cluster --brokers 3 --port {port} --arch \"{arch}\" --seed 7 --chaos latency:2=1ms@50ms")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process cluster = Process.Start(info)!;
        Task<string> stderr = cluster.StandardError.ReadToEndAsync();
        try
        {
            string? bootstrap = null;
            using (var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while (bootstrap is null && await cluster.StandardOutput.ReadLineAsync(startup.Token) is string line)
                {
                    if (line.StartsWith("bootstrap=", StringComparison.Ordinal)) bootstrap = line["bootstrap=".Length..];
                }
            }
            Assert.Equal($"127.0.0.1:{port},127.0.0.1:{port + 1},127.0.0.1:{port + 2}", bootstrap);

            Kcat.Result listed = await Kcat.RunAsync($"-b {bootstrap} -L", TimeSpan.FromSeconds(30));
            Assert.True(listed.ExitCode == 0, listed.Stderr);
            Assert.Contains(" 3 brokers:", listed.Stdout);
            for (int id = 0; id < 3; id++) Assert.Contains($"broker {id} at 127.0.0.1:{port + id}", listed.Stdout);
            Assert.Contains("topic \"orders\" with 4 partitions:", listed.Stdout);
            Assert.Equal(4, listed.Stdout.Split('\n').Count(l => l.Contains("partition ") && l.Contains("leader ") && l.Contains("replicas: ") && l.Contains("isrs: ")));

            using Process kill = Process.Start("kill", $"-TERM {cluster.Id}")!;
            await kill.WaitForExitAsync();
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await cluster.WaitForExitAsync(shutdown.Token);
            Assert.True(cluster.ExitCode == 0, await stderr);
        }
        finally
        {
            if (!cluster.HasExited) cluster.Kill(entireProcessTree: true);
            File.Delete(arch);
        }
    }

    [Fact]
    public async Task Cluster_verb_exits_non_zero_with_a_clear_message_when_its_port_is_in_use()
    {
        await using SimulatedCluster running = await SimulatedCluster.StartAsync(Clusters.Options(brokers: 1));
        int port = int.Parse(running.BootstrapServers.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        (int exitCode, string stdout, string stderr) = await RunClusterVerbToExitAsync($"--brokers 1 --port {port}");
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"port {port} is already in use", stderr);
        Assert.DoesNotContain("bootstrap=", stdout);
    }

    [Fact]
    public async Task Cluster_verb_rejects_a_session_timeout_without_a_unit()
    {
        (int exitCode, _, string stderr) = await RunClusterVerbToExitAsync("--port 0 --broker-session-timeout 9");
        Assert.Equal(2, exitCode);
        Assert.Contains("--broker-session-timeout: time '9' needs a unit", stderr);
    }

    /// <summary>Runs the <c>cluster</c> verb with <paramref name="arguments"/>, expecting it to exit by itself within 30 s.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunClusterVerbToExitAsync(string arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "KafkaNative.Cli.dll");
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" cluster {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process cluster = Process.Start(info)!;
        Task<string> stdout = cluster.StandardOutput.ReadToEndAsync();
        Task<string> stderr = cluster.StandardError.ReadToEndAsync();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await cluster.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!cluster.HasExited) cluster.Kill(entireProcessTree: true);
        }
        return (cluster.ExitCode, await stdout, await stderr);
    }

    private static int FreeConsecutivePorts(int count)
    {
        var random = new Random();
        for (int attempt = 0; attempt < 100; attempt++)
        {
            int first = random.Next(20_000, 60_000);
            var sockets = new List<Socket>();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, first + i));
                }
                return first;
            }
            catch (SocketException)
            {
            }
            finally
            {
                foreach (Socket socket in sockets) socket.Dispose();
            }
        }
        throw new InvalidOperationException("No free ports.");
    }
}
