namespace KafkaNative.Chaos;

/// <summary>
/// A consumer group reading the workload topic while the producer writes it and faults strike: with the classic
/// protocol, three of our consumers and a kcat <c>-G</c> member; with KIP-848's, four of ours (kcat's librdkafka
/// 2.0.2 predates it).
/// </summary>
public sealed class ConsumerGroupWorkload : IAsyncDisposable
{
    private static readonly TimeSpan Formation = TimeSpan.FromSeconds(60);
    private readonly List<IGroupMember> _members = [];

    private ConsumerGroupWorkload(string group) => Group = group;

    /// <summary>The group id.</summary>
    public string Group { get; }

    /// <summary>What the members read and committed.</summary>
    public ConsumptionLog Log { get; } = new();

    /// <summary>Starts the members and waits until the group has shared out every partition, each member holding some.</summary>
    public static async Task<ConsumerGroupWorkload> StartAsync(string bootstrapServers, string topic, int partitions, string group, GroupProtocol protocol = GroupProtocol.Classic)
    {
        var workload = new ConsumerGroupWorkload(group);
        try
        {
            if (protocol == GroupProtocol.Classic) workload._members.Add(new KcatGroupMember("kcat", bootstrapServers, topic, group, workload.Log));
            for (int i = 1; workload._members.Count < 4; i++) workload._members.Add(new OurGroupMember($"ours-{i}", bootstrapServers, topic, group, workload.Log, protocol));
            await Eventually.TrueAsync(() => workload._members.All(m => m.AssignedPartitions > 0) && workload._members.Sum(m => m.AssignedPartitions) == partitions,
                () => $"the group to share out {partitions} partitions among its 4 members: {workload.Assignments()}", Formation);
            return workload;
        }
        catch
        {
            await workload.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until some member has read every position in <paramref name="positions"/>.</summary>
    public Task WaitUntilReadAsync(IReadOnlyCollection<(int Partition, long Offset)> positions, TimeSpan timeout) =>
        Eventually.TrueAsync(() => Log.DistinctSeen >= positions.Count && positions.All(p => Log.HasSeen(p.Partition, p.Offset)),
            () => $"the group to read all {positions.Count} stored records (read {Log.DistinctSeen}; {Assignments()}; {Progress(positions)}){KcatTail()}", timeout);

    private string Assignments() => string.Join(", ", _members.Select(m => $"{m.Name} holds {m.AssignedPartitions} [{string.Join(",", m.HeldPartitions)}]"));

    /// <summary>Per partition: unread stored records, the furthest offset read and by whom, the last stored offset, and who holds it now.</summary>
    private string Progress(IReadOnlyCollection<(int Partition, long Offset)> positions) =>
        string.Join("; ", positions.GroupBy(p => p.Partition).OrderBy(g => g.Key).Select(g =>
        {
            int unread = g.Count(p => !Log.HasSeen(p.Partition, p.Offset));
            long firstUnread = g.Where(p => !Log.HasSeen(p.Partition, p.Offset)).Select(p => p.Offset).DefaultIfEmpty(-1).Min();
            string furthest = Log.Furthest(g.Key) is { } f ? $"{f.Offset} by {f.Member}" : "nothing";
            string holders = string.Join("+", _members.Where(m => m.HeldPartitions.Contains(g.Key)).Select(m => m.Name));
            return $"p{g.Key}: {unread} unread from {firstUnread}, read to {furthest}, last stored {g.Max(p => p.Offset)}, held by {(holders.Length > 0 ? holders : "nobody")}";
        }));

    private string KcatTail()
    {
        string errors = _members.OfType<KcatGroupMember>().FirstOrDefault()?.Errors ?? "";
        string[] lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? "" : $"\nkcat's last words:\n{string.Join("\n", lines.TakeLast(15))}";
    }

    /// <summary>Stops every member.</summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        foreach (IGroupMember member in _members)
        {
            try
            {
                await member.DisposeAsync();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count > 0) throw new AggregateException("A group member failed.", failures);
    }
}
