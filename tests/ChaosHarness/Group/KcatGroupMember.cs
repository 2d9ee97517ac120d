using System.Diagnostics;
using System.Text;

namespace KafkaNative.Chaos;

/// <summary>
/// kcat (librdkafka's balanced consumer, <c>-G</c>) as the fourth member of the group, with auto
/// commit. It prints "partition offset value" per record; its assignment comes from its stderr.
/// </summary>
public sealed class KcatGroupMember : IGroupMember
{
    private readonly Process _process;
    private readonly ConsumptionLog _log;
    private readonly StringBuilder _errors = new();
    private int _assigned;
    private int[] _held = [];

    /// <summary>Starts kcat in <paramref name="group"/> on <paramref name="topic"/>.</summary>
    public KcatGroupMember(string name, string bootstrapServers, string topic, string group, ConsumptionLog log)
    {
        Name = name;
        _log = log;
        _process = Kcat.Start($"-b {bootstrapServers} -G {group} -u -f \"%p %o %s\\n\" -X auto.offset.reset=earliest " +
            $"-X session.timeout.ms=6000 -X heartbeat.interval.ms=500 -X auto.commit.interval.ms=100 -X fetch.wait.max.ms=100 " +
            $"-X socket.timeout.ms={ChaosSettings.RequestTimeout.TotalMilliseconds} {topic}", redirectStdin: false);
        _process.OutputDataReceived += (_, e) => OnRecord(e.Data);
        _process.ErrorDataReceived += (_, e) => OnStatus(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int AssignedPartitions => Volatile.Read(ref _assigned);

    /// <inheritdoc />
    public IReadOnlyList<int> HeldPartitions => Volatile.Read(ref _held);

    /// <summary>What kcat said on stderr, for failure messages.</summary>
    public string Errors
    {
        get
        {
            lock (_errors) return _errors.ToString();
        }
    }

    private void OnRecord(string? line)
    {
        if (line is null) return;
        string[] fields = line.Split(' ');
        if (fields.Length == 3 && int.TryParse(fields[0], out int partition) && long.TryParse(fields[1], out long offset))
            _log.Read(Name, partition, offset, KeyedRecords.IndexOf(Encoding.UTF8.GetBytes(fields[2])));
        else lock (_errors) _errors.AppendLine($"unexpected output: {line}");
    }

    private void OnStatus(string? line)
    {
        if (line is null) return;
        lock (_errors) _errors.AppendLine(line);
        // "% Group g rebalanced (memberid ...): assigned: chaos [0], chaos [1]" and "...: revoked: ..."
        int assigned = line.IndexOf("assigned:", StringComparison.Ordinal);
        if (assigned >= 0)
        {
            string[] entries = line[(assigned + 9)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
            Volatile.Write(ref _held, [.. entries.Select(PartitionOf).Where(p => p >= 0).Order()]);
            Volatile.Write(ref _assigned, entries.Length);
        }
        else if (line.Contains("revoked:", StringComparison.Ordinal))
        {
            Volatile.Write(ref _held, []);
            Volatile.Write(ref _assigned, 0);
        }
    }

    private static int PartitionOf(string entry)
    {
        // "chaos [3]"
        int open = entry.IndexOf('['), close = entry.IndexOf(']');
        return open >= 0 && close > open && int.TryParse(entry.AsSpan(open + 1, close - open - 1), out int partition) ? partition : -1;
    }

    /// <summary>Kills kcat (it has committed on its own as it went).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
