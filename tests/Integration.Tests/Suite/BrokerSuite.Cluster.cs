using KafkaNative.Client;
using KafkaNative.Admin;
using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Protocol;
using static KafkaNative.Integration.Tests.Suite.SuiteClients;

namespace KafkaNative.Integration.Tests.Suite;

/// <summary>Consumer groups and commits, the admin API, compacted topics and topic-name rules.</summary>
public abstract partial class BrokerSuite
{
    [SkippableFact]
    public async Task AGroupResumesFromItsCommittedOffset()
    {
        RequireBroker();
        string topic = await CreateTopicAsync(Broker, "group");
        string group = UniqueTopic("group");
        await using (var producer = new KafkaProducer<string?, byte[]?>(ProducerOptionsFor(Broker)))
        {
            for (int i = 0; i < 20; i++) await producer.EnqueueAsync(topic, $"k{i}", [(byte)i]);
            await producer.FlushAsync();
        }

        await using (var first = new KafkaConsumer<string?, byte[]?>(ConsumerOptionsFor(Broker, group)))
        {
            first.Subscribe([topic]);
            var read = await TakeAsync(first, 10);
            await first.CommitAsync(read[^1]);
            var committed = await first.CommittedAsync([new TopicPartition(topic, 0)]);
            Assert.Equal(10, Assert.Single(committed).Offset);
        }

        await using var second = new KafkaConsumer<string?, byte[]?>(ConsumerOptionsFor(Broker, group));
        second.Subscribe([topic]);
        var rest = await TakeAsync(second, 10);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)i), rest.Select(r => r.Offset));

        await using KafkaAdminClient admin = AdminClient(Broker);
        Assert.Contains(await admin.ListGroupsAsync(), g => g.GroupId == group);
    }

    [SkippableFact]
    public async Task TheAdminClientCreatesDescribesAltersAndDeletes()
    {
        RequireBroker();
        await using KafkaAdminClient admin = AdminClient(Broker);
        string topic = await CreateTopicAsync(Broker, "admin", partitions: 2, new Dictionary<string, string> { ["retention.ms"] = "3600000" });

        Assert.Equal(2, Assert.Single(await admin.DescribeTopicsAsync([topic])).Partitions.Count);
        await admin.CreatePartitionsAsync(new Dictionary<string, int> { [topic] = 3 });
        await Eventually.TrueAsync(async () => (await admin.DescribeTopicsAsync([topic]))[0].Partitions.Count == 3, "three partitions", Deadline);

        var resource = new ConfigResource(ConfigResourceType.Topic, topic);
        Assert.Equal("3600000", (await admin.DescribeConfigsAsync(resource)).Single(c => c.Name == "retention.ms").Value);
        await admin.AlterConfigsAsync(resource, [new ConfigAlteration("retention.ms", "7200000")]);
        await Eventually.TrueAsync(async () => (await admin.DescribeConfigsAsync(resource)).Single(c => c.Name == "retention.ms").Value == "7200000", "retention.ms altered", Deadline);

        await using (var producer = new KafkaProducer<string?, byte[]?>(ProducerOptionsFor(Broker)))
            for (int i = 0; i < 5; i++) await producer.ProduceAsync(topic, 0, "k", [(byte)i]);
        var partition = new TopicPartition(topic, 0);
        Assert.Equal(5, (await admin.ListOffsetsAsync(new Dictionary<TopicPartition, OffsetSpec> { [partition] = OffsetSpec.Latest }))[partition].Offset);
        await admin.DeleteRecordsAsync(new Dictionary<TopicPartition, long> { [partition] = 2 });
        Assert.Equal(2, (await admin.ListOffsetsAsync(new Dictionary<TopicPartition, OffsetSpec> { [partition] = OffsetSpec.Earliest }))[partition].Offset);

        Assert.NotEmpty((await admin.DescribeClusterAsync()).Brokers);
        await admin.DeleteTopicsAsync([topic]);
        await Eventually.TrueAsync(async () => (await admin.ListTopicsAsync()).All(t => t.Name != topic), "topic deleted", Deadline);
    }

    [SkippableFact]
    public async Task ACompactedTopicKeepsKeyedRecordsAndRefusesKeylessOnes()
    {
        RequireBroker();
        string topic = await CreateTopicAsync(Broker, "compacted", configs: new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
        await using (KafkaAdminClient admin = AdminClient(Broker))
            Assert.Equal("compact", (await admin.DescribeConfigsAsync(new ConfigResource(ConfigResourceType.Topic, topic))).Single(c => c.Name == "cleanup.policy").Value);

        await using (var producer = new KafkaProducer<string?, byte[]?>(ProducerOptionsFor(Broker)))
        {
            await producer.ProduceAsync(topic, "user-1", "v1"u8.ToArray());
            await producer.ProduceAsync(topic, "user-1", "v2"u8.ToArray());
            await producer.ProduceAsync(topic, "user-1", null);
            var keyless = await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync(topic, null, "no key"u8.ToArray()));
            Assert.Equal(ErrorCode.InvalidRecord, keyless.ErrorCode);
        }

        // Compaction runs in the background on a real broker; the active segment is never compacted, so all three remain.
        var records = await ReadAsync(Broker, topic, 3);
        Assert.All(records, r => Assert.Equal("user-1", r.Key));
        Assert.Null(records[2].Value);
    }

    [SkippableTheory]
    [InlineData("bad/name")]
    [InlineData("spaces are illegal")]
    [InlineData("..")]
    [InlineData("ünicode")]
    public async Task IllegalTopicNamesAreRefused(string name)
    {
        RequireBroker();
        await using KafkaAdminClient admin = AdminClient(Broker);
        var refused = await Assert.ThrowsAsync<KafkaErrorException>(() => admin.CreateTopicsAsync([new NewTopic(name, 1)]));
        Assert.Equal(ErrorCode.InvalidTopicException, refused.ErrorCode);
    }

    [SkippableFact]
    public async Task NamesDifferingOnlyByDotAndUnderscoreCollide()
    {
        RequireBroker();
        await using KafkaAdminClient admin = AdminClient(Broker);
        string dotted = UniqueTopic("dot") + ".x";
        await admin.CreateTopicsAsync([new NewTopic(dotted, 1)]);
        var refused = await Assert.ThrowsAsync<KafkaErrorException>(() => admin.CreateTopicsAsync([new NewTopic(dotted.Replace('.', '_'), 1)]));
        Assert.Equal(ErrorCode.InvalidTopicException, refused.ErrorCode);
        await admin.DeleteTopicsAsync([dotted]);
    }

    [SkippableFact]
    public async Task ATopicNameOverTheLengthLimitIsRefused()
    {
        RequireBroker();
        await using KafkaAdminClient admin = AdminClient(Broker);
        string longest = UniqueTopic("len").PadRight(249, 'a');
        await admin.CreateTopicsAsync([new NewTopic(longest, 1)]);
        var refused = await Assert.ThrowsAsync<KafkaErrorException>(() => admin.CreateTopicsAsync([new NewTopic(longest + "a", 1)]));
        Assert.Equal(ErrorCode.InvalidTopicException, refused.ErrorCode);
        await admin.DeleteTopicsAsync([longest]);
    }
}
