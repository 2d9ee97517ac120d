using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace KafkaNative.Chaos;

/// <summary>
/// The same workload through kcat (librdkafka), the peer: <c>kcat -P</c> from a file of "key:value" lines,
/// acks=all, idempotent, the same batch, buffer and timeouts, and <c>-E</c> so that all brokers
/// dropping their connections at once is not fatal to it. At verbosity 3 (<c>-v -v</c>) kcat prints
/// one "Message delivered to partition P (offset O)" line per delivery report, which is how its
/// acknowledgements are timed; it does not say which record, so its ledger holds positions only.
/// It reads its whole file at once, so it cannot be held back between fault cycles.
/// </summary>
public sealed partial class KcatProducerWorkload(string bootstrapServers, string topic, int records) : IProduceWorkload
{
    /// <inheritdoc />
    public string Client => "kcat";

    /// <inheritdoc />
    public DeliveryLedger Ledger { get; } = new();

    /// <inheritdoc />
    public long BacklogRecords => records - Ledger.Acknowledged - Ledger.Failed;

    /// <inheritdoc />
    public long Enqueued => records;

    /// <inheritdoc />
    public StreamGate? Gate => null;

    /// <inheritdoc />
    public string Describe() => $"{Client}: {records} records, acknowledged {Ledger.Acknowledged}, failed {Ledger.Failed}";

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken ct)
    {
        string file = Path.Combine(Path.GetTempPath(), $"kafkanative-chaos-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            for (long i = 0; i < records; i++) await writer.WriteLineAsync($"{KeyedRecords.Key(i)}:{KeyedRecords.Value(i)}");
        }
        try
        {
            await RunKcatAsync(file, ct);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task RunKcatAsync(string file, CancellationToken ct)
    {
        string arguments = $"-P -E -v -v -b {bootstrapServers} -t {topic} -K : -l {file} -X partitioner=murmur2_random " +
            $"-X acks=all -X enable.idempotence=true -X linger.ms={ChaosSettings.Linger.TotalMilliseconds} -X batch.size={ChaosSettings.BatchSize} " +
            $"-X queue.buffering.max.kbytes={ChaosSettings.BufferMemory / 1024} -X request.timeout.ms={ChaosSettings.RequestTimeout.TotalMilliseconds} " +
            $"-X message.timeout.ms={ChaosSettings.DeliveryTimeout.TotalMilliseconds}";
        var start = new ProcessStartInfo(Kcat.Path, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            if (Delivered().Match(line) is { Success: true } delivered)
                Ledger.Acknowledge(-1, int.Parse(delivered.Groups[1].ValueSpan), long.Parse(delivered.Groups[2].ValueSpan));
            else if (line.Contains("Delivery failed", StringComparison.Ordinal))
                Ledger.Fail(line);
            else lock (errors) errors.AppendLine(line);
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        // Every line of stderr is read once the process is gone (the parameterless wait drains the readers).
        process.WaitForExit();
        if (process.ExitCode != 0 && Ledger.Failed == 0) throw new InvalidOperationException($"kcat -P failed ({process.ExitCode}): {errors}");
    }

    [GeneratedRegex(@"Message delivered to partition (-?\d+) \(offset (-?\d+)\)")]
    private static partial Regex Delivered();
}
