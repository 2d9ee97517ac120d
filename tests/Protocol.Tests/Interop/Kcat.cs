using System.Diagnostics;

namespace KafkaNative.Protocol.Tests.Interop;

/// <summary>Runs kcat (librdkafka's command-line client) with a deadline; it is never left running.</summary>
internal static class Kcat
{
    public const string Path = "/usr/bin/kcat";

    public static bool IsInstalled => File.Exists(Path);

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string arguments, string? input, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Path, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kcat {arguments} did not finish within {timeout}: {await errors}");
        }
        return (process.ExitCode, await output, await errors);
    }
}
