using Confluent.Kafka;
using Xunit.Abstractions;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// A librdkafka member: Consume blocks, so it runs on a thread of its own, which alone touches the
/// consumer (librdkafka serves rebalances inside Consume). With no rebalance handlers set, librdkafka
/// assigns (or incrementally assigns) by itself, and auto commit commits on revoke.
/// </summary>
internal sealed class LibrdkafkaGroupMember : IGroupMember
{
    private const int Running = 0, Leaving = 1, Crashing = 2;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly Task _loop;
    private readonly GroupLedger _ledger;
    private int _stop;
    private int[] _partitions = [];

    public LibrdkafkaGroupMember(string name, ConsumerConfig config, string topic, GroupLedger ledger, ITestOutputHelper output)
    {
        Name = name;
        _ledger = ledger;
        _consumer = Librdkafka.ConsumerBuilder(config, output).Build();
        _consumer.Subscribe(topic);
        _loop = Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning);
    }

    public string Name { get; }

    public IReadOnlyList<int> Partitions => Volatile.Read(ref _partitions);

    public Task LeaveAsync() => StopAsync(Leaving);

    public Task CrashAsync() => StopAsync(Crashing);

    public async ValueTask DisposeAsync() => await StopAsync(Leaving);

    private Task StopAsync(int how)
    {
        Interlocked.CompareExchange(ref _stop, how, Running);
        return _loop.WaitAsync(Sims.Generous);
    }

    private void Run()
    {
        try
        {
            while (Volatile.Read(ref _stop) == Running)
            {
                try
                {
                    if (_consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } result)
                        _ledger.Add(Name, result.Partition.Value, result.Offset.Value, result.Message.Value);
                }
                catch (ConsumeException) { }   // transient errors during faults; the error handler logged them
                Volatile.Write(ref _partitions, _consumer.Assignment.Select(p => p.Partition.Value).Order().ToArray());
            }
            Volatile.Write(ref _partitions, []);
            // Close commits and sends LeaveGroup; Dispose alone does neither (Confluent destroys with NO_CONSUMER_CLOSE).
            if (Volatile.Read(ref _stop) == Leaving) _consumer.Close();
        }
        finally
        {
            _consumer.Dispose();
        }
    }
}
