using System.Diagnostics;
using System.Text;

namespace KafkaNative.Sim.Tests.Support;

/// <summary>Runs kcat as a child process with a hard timeout; it is killed if it overstays.</summary>
internal static class Kcat
{
    public const string Path = "/usr/bin/kcat";

    public static bool Available => File.Exists(Path);

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string arguments, TimeSpan timeout)
    {
        using Process process = Start(arguments, redirectStdin: false);
        return await CompleteAsync(process, timeout);
    }

    public static Process Start(string arguments, bool redirectStdin)
    {
        var info = new ProcessStartInfo(Path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        return Process.Start(info) ?? throw new InvalidOperationException("kcat did not start");
    }

    public static async Task<Result> CompleteAsync(Process process, TimeSpan timeout)
    {
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"kcat {process.StartInfo.Arguments} did not finish in {timeout}: {await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
