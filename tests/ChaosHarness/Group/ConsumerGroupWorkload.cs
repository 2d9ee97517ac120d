namespace KafkaNative.Chaos;

/// <summary>
/// A consumer group of three of our consumers and a kcat <c>-G</c> member reading the workload topic
/// while the producer writes it and faults strike.
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
    public static async Task<ConsumerGroupWorkload> StartAsync(string bootstrapServers, string topic, int partitions, string group)
    {
        var workload = new ConsumerGroupWorkload(group);
        try
        {
            workload._members.Add(new KcatGroupMember("kcat", bootstrapServers, topic, group, workload.Log));
            for (int i = 1; i <= 3; i++) workload._members.Add(new OurGroupMember($"ours-{i}", bootstrapServers, topic, group, workload.Log));
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
            () => $"the group to read all {positions.Count} stored records (read {Log.DistinctSeen}; {Assignments()})", timeout);

    private string Assignments() => string.Join(", ", _members.Select(m => $"{m.Name} holds {m.AssignedPartitions}"));

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
