using KafkaNative.TestSupport;
using System.Diagnostics;
using System.Globalization;

namespace KafkaNative.Bench;

/// <summary>What a client's child process cost, measured from outside it, and what this process spent meanwhile.</summary>
/// <param name="WallSeconds">Start to exit.</param>
/// <param name="CpuSeconds">User + system CPU of the child.</param>
/// <param name="PeakRssKiB">Peak resident set of the child; null without /usr/bin/time.</param>
/// <param name="OwnCpuSeconds">This process's CPU from the child's start to its exit: the in-process cluster's work.</param>
internal sealed record ChildOutcome(int ExitCode, double WallSeconds, double CpuSeconds, long? PeakRssKiB, double OwnCpuSeconds, string Stderr);

/// <summary>
/// Runs a client as a child process under <c>/usr/bin/time</c>, so every client (ours, Confluent's, kcat)
/// is measured from outside the same way. Standard output goes to a file, never through this process, whose
/// CPU time counts as the cluster's. Without /usr/bin/time, falls back to the wall clock and
/// getrusage(RUSAGE_CHILDREN) deltas (<see cref="ChildProcessCpu"/>), with no peak RSS.
/// </summary>
internal static class TimedChild
{
    private const string TimePath = "/usr/bin/time";

    // COMPARE_WITHOUT_TIME=1 takes the fallback on purpose, to check it on a machine that has time.
    public static bool HasTime => File.Exists(TimePath) && Environment.GetEnvironmentVariable("COMPARE_WITHOUT_TIME") is null;

    public static async Task<ChildOutcome> RunAsync(string program, IEnumerable<string> arguments, string stdoutFile, TimeSpan timeout)
    {
        string stderrFile = stdoutFile + ".stderr", timeFile = stdoutFile + ".time";
        string command = string.Join(' ', arguments.Prepend(program).Select(Quote));
        bool timed = HasTime;
        // exec all the way down: the shell becomes time, which forks only the client itself.
        string script = (timed ? $"exec {TimePath} -f '%e %U %S %M' -o {Quote(timeFile)} {command}" : $"exec {command}") +
            $" < /dev/null > {Quote(stdoutFile)} 2> {Quote(stderrFile)}";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["LC_ALL"] = "C"; // time's decimal point

        TimeSpan childrenBefore = ChildProcessCpu.Total();
        TimeSpan ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long started = Stopwatch.GetTimestamp();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start");
        if (!await ChildProcess.WaitForExitOrKillAsync(process, timeout))
            throw new TimeoutException($"{program} ran longer than {timeout}; killed.");
        double wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        double own = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds;
        double childrenCpu = (ChildProcessCpu.Total() - childrenBefore).TotalSeconds;

        string stderr = File.Exists(stderrFile) ? await File.ReadAllTextAsync(stderrFile) : "";
        File.Delete(stderrFile);
        if (!timed) return new ChildOutcome(process.ExitCode, wall, childrenCpu, null, own, stderr);

        // time writes "Command exited with non-zero status N" first when it did; the figures are the last line.
        string[] lines = File.Exists(timeFile) ? await File.ReadAllLinesAsync(timeFile) : [];
        File.Delete(timeFile);
        string[] fields = lines.LastOrDefault(l => l.Length > 0)?.Split(' ') ?? [];
        if (fields.Length != 4) return new ChildOutcome(process.ExitCode, wall, childrenCpu, null, own, stderr + $"\n(no figures from time: {string.Join(" | ", lines)})");
        double Field(int i) => double.Parse(fields[i], CultureInfo.InvariantCulture);
        return new ChildOutcome(process.ExitCode, Field(0), Field(1) + Field(2), (long)Field(3), own, stderr);
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";
}
