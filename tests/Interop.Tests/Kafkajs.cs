using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// Runs tests/kafkajs/interop.js under Node.js, with a hard deadline. Tests skip (reported as skipped)
/// when node is missing or <c>npm ci</c> has not installed kafkajs there (.ci/run does).
/// </summary>
internal static class Kafkajs
{
    public static readonly string ScriptDirectory = Path.Combine(RepositoryRoot(), "tests", "kafkajs");

    public static readonly string? Node = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator)
        .Select(dir => Path.Combine(dir, "node")).FirstOrDefault(File.Exists);

    /// <summary>Why kafkajs cannot run here, or null when it can.</summary>
    public static string? Missing =>
        Node is null ? "node is not installed"
        : !Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "kafkajs")) ? $"kafkajs is not installed: run npm ci in {ScriptDirectory}"
        : null;

    /// <summary>Starts <c>node interop.js</c> with the arguments; its standard error (kafkajs's log) goes to <paramref name="log"/>.</summary>
    public static Process Start(Action<string> log, params string[] arguments)
    {
        var info = new ProcessStartInfo(Node!) { WorkingDirectory = ScriptDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        info.Environment["KAFKAJS_NO_PARTITIONER_WARNING"] = "1";   // we always name the partition
        info.ArgumentList.Add("interop.js");
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        Process process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) log(line); };
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs the script to completion with <paramref name="input"/> on stdin and returns its JSON lines; fails on a non-zero exit or past the deadline.</summary>
    public static async Task<List<JsonNode>> RunAsync(string input, Action<string> log, params string[] arguments)
    {
        using Process process = Start(log, arguments);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Sims.Generous);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node interop.js {string.Join(' ', arguments)} did not finish within {Sims.Generous}");
        }
        string output = await stdout;
        Assert.True(process.ExitCode == 0, $"node interop.js {string.Join(' ', arguments)} exited with {process.ExitCode}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
    }

    /// <summary>The record as kafkajs can write it: its producer fails on a null header value (it measures the value as a string), so those become empty.</summary>
    public static SampleRecord Writable(SampleRecord record) =>
        record with { Headers = record.Headers.Select(h => h with { Value = h.Value ?? [] }).ToList() };

    public static string ToJsonLine(SampleRecord record) => new JsonObject
    {
        ["partition"] = record.Partition,
        ["key"] = Base64(record.Key),
        ["value"] = Base64(record.Value),
        ["headers"] = new JsonArray(record.Headers.Select(h => (JsonNode)new JsonArray(h.Key, Base64(h.Value))).ToArray()),
        ["timestamp"] = record.TimestampMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.ToJsonString();

    public static (SampleRecord Record, long Offset) FromJsonLine(JsonNode line) => (
        new SampleRecord(
            line["partition"]!.GetValue<int>(),
            Bytes(line["key"]),
            Bytes(line["value"]),
            line["headers"]!.AsArray().Select(h => new Header(h![0]!.GetValue<string>(), Bytes(h[1]))).ToList(),
            long.Parse(line["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)),
        long.Parse(line["offset"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));

    private static string? Base64(byte[]? bytes) => bytes is null ? null : Convert.ToBase64String(bytes);

    private static byte[]? Bytes(JsonNode? node) => node is null ? null : Convert.FromBase64String(node.GetValue<string>());

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KafkaNative.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No KafkaNative.sln above {AppContext.BaseDirectory}");
    }
}
