using System.Reflection;
using KafkaNative.Consumer;

namespace KafkaNative.Interop.Tests;

/// <summary>One of our consumers as a group member, its <c>await foreach</c> running in the background.</summary>
internal sealed class OurGroupMember : IGroupMember
{
    private readonly KafkaConsumer<byte[]?, byte[]?> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _stopped;

    public OurGroupMember(string name, ConsumerOptions options, string topic, GroupLedger ledger)
    {
        Name = name;
        _consumer = new KafkaConsumer<byte[]?, byte[]?>(options);
        _consumer.Subscribe([topic]);
        _loop = Task.Run(async () =>
        {
            await foreach (var result in _consumer.ConsumeAsync(_stop.Token)) ledger.Add(Name, result.Partition, result.Offset, result.Value);
        });
    }

    public string Name { get; }

    public IReadOnlyList<int> Partitions => _stopped ? [] : _consumer.Assignment.Select(p => p.Partition).Order().ToList();

    public async Task LeaveAsync()
    {
        await StopLoopAsync();
        await _consumer.DisposeAsync();
    }

    public async Task CrashAsync()
    {
        await StopLoopAsync();
        // The consumer's own test hook for a crash (no commit, no LeaveGroup) is internal to src/Consumer;
        // reflection reaches it without opening the library to this project.
        MethodInfo abandon = typeof(KafkaConsumer<byte[]?, byte[]?>).GetMethod("AbandonAsync", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new MissingMethodException("KafkaConsumer.AbandonAsync is gone: update OurGroupMember.CrashAsync");
        await (ValueTask)abandon.Invoke(_consumer, null)!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped) await LeaveAsync();
        _stop.Dispose();
    }

    private async Task StopLoopAsync()
    {
        _stopped = true;
        await _stop.CancelAsync();
        try { await _loop.WaitAsync(Sims.Generous); }
        catch (OperationCanceledException) { }
    }
}
