using System.Diagnostics;
using KafkaNative.Consumer;
using KafkaNative.Protocol;

namespace KafkaNative.Chaos;

/// <summary>
/// Our consumer in the group, behaving as an application would: it reads, notes each record, commits
/// what it processed every 100 ms and when partitions are revoked, and forgets revoked or lost
/// partitions so it never commits for a partition it no longer owns.
/// </summary>
public sealed class OurGroupMember : IGroupMember
{
    private static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(100);
    private readonly KafkaConsumer<byte[]?, byte[]?> _consumer;
    private readonly ConsumptionLog _log;
    private readonly Dictionary<int, long> _processed = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _consuming;
    private readonly string _topic;
    private readonly ChaosLogFile? _logFile;

    /// <summary>Joins <paramref name="group"/> and starts reading <paramref name="topic"/>.</summary>
    public OurGroupMember(string name, string bootstrapServers, string topic, string group, ConsumptionLog log, GroupProtocol protocol = GroupProtocol.Classic)
    {
        Name = name;
        _topic = topic;
        _log = log;
        _logFile = ChaosLogFile.For(name);
        _consumer = new KafkaConsumer<byte[]?, byte[]?>(new ConsumerOptions
        {
            BootstrapServers = bootstrapServers,
            ClientId = name,
            GroupId = group,
            GroupProtocol = protocol,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
            SessionTimeout = TimeSpan.FromSeconds(6),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            RebalanceTimeout = TimeSpan.FromSeconds(20),
            RequestTimeout = ChaosSettings.RequestTimeout,
            LoggerFactory = (Microsoft.Extensions.Logging.ILoggerFactory?)_logFile ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        })
        {
            PartitionsRevoked = CommitThenForgetAsync,
            PartitionsLost = ForgetAsync,
        };
        _consumer.Subscribe([topic]);
        _consuming = Task.Run(ConsumeAsync);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int AssignedPartitions => _consumer.Assignment.Count;

    /// <inheritdoc />
    public IReadOnlyList<int> HeldPartitions => [.. _consumer.Assignment.Select(p => p.Partition).Order()];

    private async Task ConsumeAsync()
    {
        long lastCommit = Stopwatch.GetTimestamp();
        try
        {
            await foreach (ConsumeResult<byte[]?, byte[]?> message in _consumer.ConsumeAsync(_stop.Token))
            {
                _log.Read(Name, message.Partition, message.Offset, message.Value is { } value ? KeyedRecords.IndexOf(value) : -1);
                lock (_processed) _processed[message.Partition] = message.Offset + 1;
                if (Stopwatch.GetElapsedTime(lastCommit) < CommitInterval) continue;
                await CommitAsync(null, _stop.Token);
                lastCommit = Stopwatch.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Commits what was processed (of <paramref name="only"/> partitions, or all); a refused commit is not noted.</summary>
    private async Task CommitAsync(IReadOnlyList<TopicPartition>? only, CancellationToken ct)
    {
        List<TopicPartitionOffset> offsets;
        lock (_processed)
            offsets = [.. _processed.Where(p => only is null || only.Contains(new TopicPartition(_topic, p.Key))).Select(p => new TopicPartitionOffset(_topic, p.Key, p.Value))];
        try
        {
            await _consumer.CommitAsync(offsets, ct);
            foreach (TopicPartitionOffset offset in offsets) _log.Committed(offset.Partition, offset.Offset);
        }
        catch (KafkaException)
        {
            // A rebalance is under way: the next owner resumes from the last commit, and re-reads are allowed above it.
        }
    }

    private async ValueTask CommitThenForgetAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken ct)
    {
        await CommitAsync(partitions, ct);
        await ForgetAsync(partitions, ct);
    }

    private ValueTask ForgetAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken ct)
    {
        lock (_processed)
            foreach (TopicPartition partition in partitions) _processed.Remove(partition.Partition);
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops reading and leaves the group.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _consuming;
        await _consumer.DisposeAsync();
        _stop.Dispose();
        _logFile?.Dispose();
    }
}
