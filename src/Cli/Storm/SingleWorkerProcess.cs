using System.Diagnostics;
using System.Reflection;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// A real run on virtual time repeats exactly for a seed only when one thread-pool worker runs all the work:
/// with several, continuations due at the same virtual instant race each other, and request and timer counts
/// drift by a few per cent between runs. The runtime fixes its worker count when the process starts, so the
/// CLI starts itself again with one worker when it was not started that way.
/// </summary>
internal static class SingleWorkerProcess
{
    private static readonly (string Name, string Value)[] Settings =
    [
        ("DOTNET_PROCESSOR_COUNT", "1"),
        ("DOTNET_ThreadPool_ForceMinWorkerThreads", "1"),
        ("DOTNET_ThreadPool_ForceMaxWorkerThreads", "1"),
    ];

    /// <summary>True when this process was started with one thread-pool worker.</summary>
    public static bool IsCurrent => Settings.All(setting => Environment.GetEnvironmentVariable(setting.Name) == setting.Value);

    /// <summary>Runs <c>storm</c> with <paramref name="stormArgs"/> in a child process with one worker; its output goes to <paramref name="output"/>.</summary>
    public static async Task<int> RunAsync(string[] stormArgs, TextWriter output, CancellationToken ct)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown, so the storm cannot start itself again.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet x.dll` the host needs the assembly; an apphost is the program itself.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.ArgumentList.Add("storm");
        foreach (string arg in stormArgs) start.ArgumentList.Add(arg);
        foreach ((string name, string value) in Settings) start.Environment[name] = value;

        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        using CancellationTokenRegistration kill = ct.Register(() => child.Kill(entireProcessTree: true));
        while (await child.StandardOutput.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is string line)
            await output.WriteLineAsync(line).ConfigureAwait(false);
        await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return child.ExitCode;
    }
}
