using System.Text;
using KafkaNative.Client;
using KafkaNative.Admin;
using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Sim;
using Xunit.Abstractions;
using Rd = Confluent.Kafka;
using RdAdmin = Confluent.Kafka.Admin;
using TopicPartition = KafkaNative.TopicPartition;

namespace KafkaNative.Interop.Tests;

/// <summary>
/// Our admin client and librdkafka's, side by side on one cluster: what either changes (topics,
/// partitions, configs, committed offsets, deleted records), both describe alike.
/// </summary>
public sealed class AdminAgreementTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SimulatedCluster _sim = null!;
    private KafkaAdminClient _ours = null!;
    private Rd.IAdminClient _theirs = null!;

    public async Task InitializeAsync()
    {
        _sim = await Sims.StartAsync(brokers: 3);
        _ours = new KafkaAdminClient(new KafkaClientOptions { BootstrapServers = _sim.BootstrapServers, MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50) });
        _theirs = Librdkafka.Admin(_sim, output);
    }

    public async Task DisposeAsync()
    {
        _theirs.Dispose();
        await _ours.DisposeAsync();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task TopicsAndPartitions_CreatedByEither_AreDescribedAlikeByBoth()
    {
        await _ours.CreateTopicsAsync([new NewTopic("made-by-us", 3, 2)]);
        await _theirs.CreateTopicsAsync([new RdAdmin.TopicSpecification { Name = "made-by-them", NumPartitions = 2, ReplicationFactor = 3 }]);
        await AssertTopicsAgreeAsync("made-by-us", "made-by-them");

        await _ours.CreatePartitionsAsync(new Dictionary<string, int> { ["made-by-them"] = 4 });
        await _theirs.CreatePartitionsAsync([new RdAdmin.PartitionsSpecification { Topic = "made-by-us", IncreaseTo = 5 }]);
        int[] counts = await AssertTopicsAgreeAsync("made-by-us", "made-by-them");
        Assert.Equal([5, 4], counts);

        await _theirs.DeleteTopicsAsync(["made-by-us"]);
        await _ours.DeleteTopicsAsync(["made-by-them"]);
        await Eventually.TrueAsync(async () => (await _ours.ListTopicsAsync()).Count == 0, () => "both topics to be gone for us");
        Assert.DoesNotContain(_theirs.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic.StartsWith("made-by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Configs_AlteredByEither_AreDescribedAlikeByBoth()
    {
        await _ours.CreateTopicsAsync([new NewTopic("configured", 1, 3)]);
        await _ours.AlterConfigsAsync(new ConfigResource(ConfigResourceType.Topic, "configured"), [new ConfigAlteration("retention.ms", "3600000")]);
        var resource = new RdAdmin.ConfigResource { Type = RdAdmin.ResourceType.Topic, Name = "configured" };
        await _theirs.IncrementalAlterConfigsAsync(new Dictionary<RdAdmin.ConfigResource, List<RdAdmin.ConfigEntry>>
        {
            [resource] = [new RdAdmin.ConfigEntry { Name = "cleanup.policy", Value = "compact", IncrementalOperation = RdAdmin.AlterConfigOpType.Set }],
        });

        IReadOnlyList<ConfigEntry> ours = await _ours.DescribeConfigsAsync(new ConfigResource(ConfigResourceType.Topic, "configured"));
        var theirs = (await _theirs.DescribeConfigsAsync([resource])).Single().Entries.Values;
        Assert.Equal(
            theirs.Select(e => $"{e.Name}={e.Value} default={e.IsDefault} readonly={e.IsReadOnly} sensitive={e.IsSensitive}").Order(StringComparer.Ordinal),
            ours.Select(e => $"{e.Name}={e.Value} default={e.IsDefault} readonly={e.IsReadOnly} sensitive={e.IsSensitive}").Order(StringComparer.Ordinal));
        Assert.Contains("retention.ms=3600000 default=False readonly=False sensitive=False", ours.Select(e => $"{e.Name}={e.Value} default={e.IsDefault} readonly={e.IsReadOnly} sensitive={e.IsSensitive}"));
        Assert.Contains(theirs, e => e is { Name: "cleanup.policy", Value: "compact", IsDefault: false });
    }

    [Fact]
    public async Task Cluster_IsDescribedAlikeByBoth()
    {
        ClusterDescription ours = await _ours.DescribeClusterAsync();
        RdAdmin.DescribeClusterResult theirs = await Rd.IAdminClientExtensions.DescribeClusterAsync(_theirs);
        Assert.Equal(theirs.ClusterId, ours.ClusterId);
        Assert.Equal(theirs.Controller?.Id ?? -1, ours.ControllerId);
        Assert.Equal(theirs.Nodes.Select(n => $"{n.Id} {n.Host}:{n.Port}").Order(), ours.Brokers.Select(b => $"{b.NodeId} {b.Endpoint.Host}:{b.Endpoint.Port}").Order());
    }

    [Fact]
    public async Task Groups_OfEitherClient_AreListedAndDescribedAlikeByBoth()
    {
        await _sim.CreateTopicAsync("grouped", 2, 3);
        await using var ourMember = new OurGroupMember("ours", Sims.OurConsumer(_sim, "our-group"), "grouped", new GroupLedger());
        await using var theirMember = new LibrdkafkaGroupMember("theirs", Librdkafka.ConsumerConfig(_sim, "their-group"), "grouped", new GroupLedger(), output);
        await Eventually.TrueAsync(() => ourMember.Partitions.Count == 2 && theirMember.Partitions.Count == 2, "each member to own both partitions");

        IReadOnlyList<GroupListing> ourListing = await _ours.ListGroupsAsync();
        RdAdmin.ListConsumerGroupsResult theirListing = await _theirs.ListConsumerGroupsAsync();
        Assert.Equal(["our-group Stable consumer", "their-group Stable consumer"], ourListing.Select(g => $"{g.GroupId} {g.State} {g.ProtocolType}"));
        Assert.Equal(["our-group Stable False", "their-group Stable False"], theirListing.Valid.Select(g => $"{g.GroupId} {g.State} {g.IsSimpleConsumerGroup}").Order());

        IReadOnlyList<GroupDescription> ours = await _ours.DescribeGroupsAsync(["our-group", "their-group"]);
        RdAdmin.DescribeConsumerGroupsResult theirs = await _theirs.DescribeConsumerGroupsAsync(["our-group", "their-group"]);
        Assert.Equal(
            theirs.ConsumerGroupDescriptions.Select(g => $"{g.GroupId} {g.State} {g.PartitionAssignor} members: {string.Join(", ", g.Members.Select(m => $"{m.ConsumerId} {m.ClientId} {m.Host}"))}"),
            ours.Select(g => $"{g.GroupId} {g.State} {g.Protocol} members: {string.Join(", ", g.Members.Select(m => $"{m.MemberId} {m.ClientId} {m.ClientHost}"))}"));
        Assert.Equal(["kafkanative-interop", "librdkafka-interop"], ours.Select(g => g.Members.Single().ClientId));
        // librdkafka decodes each member's assignment, whichever client's leader wrote it.
        Assert.All(theirs.ConsumerGroupDescriptions, g =>
            Assert.Equal(["grouped[0]", "grouped[1]"], g.Members.Single().Assignment.TopicPartitions.Select(p => $"{p.Topic}[{p.Partition.Value}]").Order()));
    }

    [Fact]
    public async Task Offsets_ListedAlike_AndCommitsAndDeletionsByEitherSeenByTheOther()
    {
        await _sim.CreateTopicAsync("offsets", 2, 3);
        var timestamps = new List<DateTimeOffset>();
        await using (var producer = new KafkaProducer<byte[]?, byte[]?>(Sims.OurProducer(_sim)))
        {
            for (int i = 0; i < 10; i++)
                timestamps.Add((await producer.ProduceAsync("offsets", i % 2, null, Encoding.UTF8.GetBytes($"v{i}"))).Timestamp);
        }
        var p0 = new TopicPartition("offsets", 0);
        var p1 = new TopicPartition("offsets", 1);

        // Watermarks, a lookup by time and the newest timestamp.
        var spec = new Dictionary<TopicPartition, OffsetSpec> { [p0] = OffsetSpec.Earliest, [p1] = OffsetSpec.Latest };
        Assert.Equal("0 5", await BothListAsync(spec));
        var byTime = new Dictionary<TopicPartition, OffsetSpec> { [p0] = OffsetSpec.ForTime(timestamps[4]), [p1] = OffsetSpec.MaxTimestamp };
        await BothListAsync(byTime);

        // Each deletes records on one partition; both see the new low watermarks.
        Assert.Equal(3, (await _ours.DeleteRecordsAsync(new Dictionary<TopicPartition, long> { [p0] = 3 }))[p0]);
        Assert.Equal(2, (await _theirs.DeleteRecordsAsync([new Rd.TopicPartitionOffset("offsets", 1, 2)])).Single().Offset.Value);
        Assert.Equal("3 2", await BothListAsync(new Dictionary<TopicPartition, OffsetSpec> { [p0] = OffsetSpec.Earliest, [p1] = OffsetSpec.Earliest }));

        // Commits: ours through our consumer, theirs through their admin; each side reads the other's.
        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(Sims.OurConsumer(_sim, "offsets-group"));
        await consumer.CommitAsync([new TopicPartitionOffset("offsets", 0, 4)]);
        await _theirs.AlterConsumerGroupOffsetsAsync([new Rd.ConsumerGroupTopicPartitionOffsets("offsets-group", [new Rd.TopicPartitionOffset("offsets", 1, 3)])]);
        var theirView = (await _theirs.ListConsumerGroupOffsetsAsync([new Rd.ConsumerGroupTopicPartitions("offsets-group", [new Rd.TopicPartition("offsets", 0), new Rd.TopicPartition("offsets", 1)])])).Single();
        Assert.Equal(["offsets[0]@4", "offsets[1]@3"], theirView.Partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]@{p.Offset.Value}").Order());
        var ourView = await consumer.CommittedAsync([new TopicPartition("offsets", 0), new TopicPartition("offsets", 1)]);
        Assert.Equal(["offsets[0]@4", "offsets[1]@3"], ourView.Select(p => $"{p.Topic}[{p.Partition}]@{p.Offset}").Order());
    }

    /// <summary>Looks the offsets up with both clients, asserts they agree (offset and timestamp), and returns the offsets, space-separated, in the order given.</summary>
    private async Task<string> BothListAsync(Dictionary<TopicPartition, OffsetSpec> specs)
    {
        IReadOnlyDictionary<TopicPartition, ListedOffset> ours = await _ours.ListOffsetsAsync(specs);
        RdAdmin.ListOffsetsResult theirs = await Rd.IAdminClientExtensions.ListOffsetsAsync(_theirs, specs.Select(s => new RdAdmin.TopicPartitionOffsetSpec
        {
            TopicPartition = new Rd.TopicPartition(s.Key.Topic, s.Key.Partition),
            OffsetSpec = s.Value.Timestamp switch
            {
                -1 => RdAdmin.OffsetSpec.Latest(),
                -2 => RdAdmin.OffsetSpec.Earliest(),
                -3 => RdAdmin.OffsetSpec.MaxTimestamp(),
                long time => RdAdmin.OffsetSpec.ForTimestamp(time),
            },
        }).ToList());
        foreach (TopicPartition partition in specs.Keys)
        {
            var their = theirs.ResultInfos.Single(r => r.TopicPartitionOffsetError.Topic == partition.Topic && r.TopicPartitionOffsetError.Partition.Value == partition.Partition);
            Assert.Equal((their.TopicPartitionOffsetError.Offset.Value, their.Timestamp), (ours[partition].Offset, ours[partition].Timestamp));
        }
        return string.Join(" ", specs.Keys.Select(p => ours[p].Offset));
    }

    /// <summary>Describes the topics with both clients, asserts they agree on partitions, leaders, replicas and ISRs, and returns the partition counts.</summary>
    private async Task<int[]> AssertTopicsAgreeAsync(params string[] topics)
    {
        IReadOnlyList<TopicMetadata> ours = await _ours.DescribeTopicsAsync(topics);
        RdAdmin.DescribeTopicsResult theirs = await Rd.IAdminClientExtensions.DescribeTopicsAsync(_theirs, Rd.TopicCollection.OfTopicNames(topics));
        foreach (string topic in topics)
        {
            TopicMetadata our = ours.Single(t => t.Name == topic);
            RdAdmin.TopicDescription their = theirs.TopicDescriptions.Single(t => t.Name == topic);
            Assert.Equal($"{their.TopicId.MostSignificantBits.Value:X16}{their.TopicId.LeastSignificantBits.Value:X16}", Convert.ToHexString(our.TopicId.ToByteArray(bigEndian: true)));
            Assert.Equal(
                their.Partitions.Select(p => $"{p.Partition} leader={p.Leader?.Id} replicas={string.Join(",", p.Replicas.Select(r => r.Id))} isr={string.Join(",", p.ISR.Select(r => r.Id))}"),
                our.Partitions.OrderBy(p => p.Partition).Select(p => $"{p.Partition} leader={p.LeaderId} replicas={string.Join(",", p.Replicas)} isr={string.Join(",", p.InSyncReplicas)}"));
        }
        return topics.Select(t => ours.Single(o => o.Name == t).Partitions.Count).ToArray();
    }
}
