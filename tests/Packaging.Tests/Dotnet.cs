using System.Diagnostics;
using System.Text;

namespace KafkaNative.Packaging.Tests;

/// <summary>Runs the dotnet CLI (or a built app) as a child process, capturing its output, with a deadline.</summary>
internal static class Dotnet
{
    public sealed record Result(int ExitCode, string Output)
    {
        public Result ShouldSucceed(string what)
        {
            Assert.True(ExitCode == 0, $"{what} exited with {ExitCode}:\n{Output}");
            return this;
        }
    }

    public static Task<Result> RunAsync(string workingDirectory, string arguments, TimeSpan timeout, IDictionary<string, string>? environment = null) =>
        RunFileAsync("dotnet", workingDirectory, arguments, timeout, environment);

    public static async Task<Result> RunFileAsync(string file, string workingDirectory, string arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // A child build must not inherit the test host's MSBuild settings.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH" }) start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
        {
            foreach ((string name, string value) in environment) start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = await ChildProcess.WaitForExitOrKillAsync(process, timeout);
        process.WaitForExit();
        lock (output)
        {
            return exited ? new Result(process.ExitCode, output.ToString()) : new Result(-1, $"timed out after {timeout}:\n{output}");
        }
    }
}
