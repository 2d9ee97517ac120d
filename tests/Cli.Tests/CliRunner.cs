using System.Diagnostics;
using System.Text;

namespace KafkaNative.Cli.Tests;

/// <summary>What one run of the CLI left behind.</summary>
internal sealed record CliResult(int ExitCode, byte[] StdoutBytes, string Stderr)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the CLI in process through its entry point (own stdin, stdout and stderr), or as a child process.</summary>
internal static class CliRunner
{
    /// <summary>Bound on any one run; the runs here take well under a second on an idle machine.</summary>
    public static readonly TimeSpan NoHang = TimeSpan.FromSeconds(60);

    public static Task<CliResult> RunAsync(string[] args, string? stdin = null) => RunAsync(args, Encoding.UTF8.GetBytes(stdin ?? ""));

    public static async Task<CliResult> RunAsync(string[] args, byte[] stdin)
    {
        using var input = new MemoryStream(stdin);
        return await RunAsync(args, input);
    }

    /// <summary>Runs the CLI reading <paramref name="input"/>, which may be fed while it runs.</summary>
    public static async Task<CliResult> RunAsync(string[] args, Stream input)
    {
        using var output = new MemoryStream();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(NoHang);
        int exit = await KafkaNativeCli.RunAsync(args, new CliConsole(input, output, error, ErrorIsTerminal: false), timeout.Token);
        return new CliResult(exit, output.ToArray(), error.ToString());
    }

    /// <summary>Runs the built <c>KafkaNative.Cli.dll</c> as scripts run it, for what only a real process shows (exit code, no stack trace).</summary>
    public static async Task<CliResult> RunProcessAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KafkaNative.Cli.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(NoHang);
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return new CliResult(process.ExitCode, Encoding.UTF8.GetBytes(await stdout), await stderr);
    }
}
