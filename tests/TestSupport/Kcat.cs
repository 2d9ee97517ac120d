using System.Diagnostics;
using System.Text;

namespace KafkaNative.TestSupport;

/// <summary>
/// Runs kcat (librdkafka's command-line client, the reference every interop test compares against)
/// as a child process with a hard deadline: it is killed if it overstays, so no test can hang on it.
/// </summary>
public static class Kcat
{
    /// <summary>Where Debian's kcat package installs it (CI's .ci/run installs it).</summary>
    public const string Path = "/usr/bin/kcat";

    /// <summary>Tests that need kcat skip, reported as skipped, when it is missing.</summary>
    public static bool IsInstalled => File.Exists(Path);

    /// <summary>What a finished kcat printed and returned.</summary>
    /// <param name="ExitCode">The exit code.</param>
    /// <param name="Stdout">Everything written to standard output.</param>
    /// <param name="Stderr">Everything written to standard error.</param>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs kcat to completion, feeding it <paramref name="input"/> on standard input when given.</summary>
    public static async Task<Result> RunAsync(string arguments, string? input, TimeSpan timeout)
    {
        using Process process = Start(arguments, redirectStdin: true);
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        return await CompleteAsync(process, timeout);
    }

    /// <summary>Runs kcat to completion with nothing on standard input.</summary>
    public static Task<Result> RunAsync(string arguments, TimeSpan timeout) => RunAsync(arguments, null, timeout);

    /// <summary>Starts kcat in the background (for consumers that run alongside the test); finish with <see cref="CompleteAsync"/>.</summary>
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

    /// <summary>Waits for a started kcat; kills it and throws <see cref="TimeoutException"/> past the deadline.</summary>
    public static async Task<Result> CompleteAsync(Process process, TimeSpan timeout)
    {
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!await ChildProcess.WaitForExitOrKillAsync(process, timeout))
            throw new TimeoutException($"kcat {process.StartInfo.Arguments} did not finish within {timeout}: {await stderr}");
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
