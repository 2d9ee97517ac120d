using System.Diagnostics;
using System.Text.Json.Nodes;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// A kafkajs group member: <c>node interop.js member</c> as a child process. Closing its stdin makes it
/// leave (commit, LeaveGroup); killing the process is a real crash.
/// </summary>
internal sealed class KafkajsGroupMember : IGroupMember
{
    private readonly Process _process;
    private int[] _partitions = [];

    public KafkajsGroupMember(string name, string bootstrap, string topic, string group, GroupLedger ledger, Action<string> log)
    {
        Name = name;
        _process = Kafkajs.Start(log, "member", bootstrap, topic, group);
        _process.OutputDataReceived += (_, e) =>
        {
            if (string.IsNullOrEmpty(e.Data)) return;
            JsonNode line = JsonNode.Parse(e.Data)!;
            if (line["assigned"] is JsonArray assigned) Volatile.Write(ref _partitions, assigned.Select(p => p!.GetValue<int>()).Order().ToArray());
            else if (line["value"] is not null)
            {
                (SampleRecord record, long offset) = Kafkajs.FromJsonLine(line);
                ledger.Add(Name, record.Partition, offset, record.Value);
            }
        };
        _process.BeginOutputReadLine();
    }

    public string Name { get; }

    public IReadOnlyList<int> Partitions => _process.HasExited ? [] : Volatile.Read(ref _partitions);

    public async Task LeaveAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(Sims.Generous);
        Assert.Equal(0, _process.ExitCode);
    }

    public async Task CrashAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(Sims.Generous);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await CrashAsync();
        _process.Dispose();
    }
}
