using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using KafkaNative.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Sim.Tests;

public sealed class ProduceFetchTests
{
    internal static ProduceRequest Produce(string topic, int partition, byte[] batch, short acks = -1) => new()
    {
        Acks = acks,
        TimeoutMs = 5000,
        TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = batch }] }],
    };

    internal static FetchRequest Fetch(string topic, int partition, long offset, int maxWaitMs = 0, int minBytes = 1, int partitionMaxBytes = 1 << 20) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = 50 << 20,
        SessionEpoch = -1,
        Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = partitionMaxBytes }] }],
    };

    internal static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(KafkaTestClient client, string topic, int partition, byte[] batch, short acks = -1, short version = 9)
    {
        ProduceResponse response = await client.SendAsync<ProduceRequest, ProduceResponse>(Produce(topic, partition, batch, acks), version);
        return response.Responses.Single().PartitionResponses.Single();
    }

    internal static async Task<FetchResponse.PartitionData> FetchAsync(KafkaTestClient client, string topic, int partition, long offset, int maxWaitMs = 0, int minBytes = 1, short version = 11)
    {
        FetchResponse response = await client.SendAsync<FetchRequest, FetchResponse>(Fetch(topic, partition, offset, maxWaitMs, minBytes), version, TimeSpan.FromSeconds(20));
        return response.Responses.Single().Partitions.Single();
    }

    [Fact]
    public async Task Produce_assigns_consecutive_base_offsets_and_fetch_returns_the_stored_batches()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("orders", 1);
        int leader = cluster.LeaderOf("orders", 0);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, leader);

        var first = await ProduceAsync(client, "orders", 0, Batches.Build(["a", "b", "c"]));
        var second = await ProduceAsync(client, "orders", 0, Batches.Build(["d", "e"]), acks: 1);
        Assert.Equal((short)ErrorCode.None, first.ErrorCode);
        Assert.Equal(0, first.BaseOffset);
        Assert.Equal(3, second.BaseOffset);

        IReadOnlyList<ReadOnlyMemory<byte>> stored = cluster.ReadBatches("orders", 0);
        Assert.Equal(2, stored.Count);
        Assert.Equal([(3L, "d"), (4L, "e")], Batches.Read(stored[1]));

        await WaitForHighWatermarkAsync(cluster, "orders", 0, 5);
        FetchResponse.PartitionData data = await FetchAsync(client, "orders", 0, 1);
        Assert.Equal((short)ErrorCode.None, data.ErrorCode);
        Assert.Equal(5, data.HighWatermark);
        Assert.Equal(["a", "b", "c", "d", "e"], Batches.Read(data.Records!.Value).Select(r => r.Value));
    }

    [Fact]
    public async Task Produce_works_at_flexible_and_old_versions_and_fetch_at_topic_id_versions()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("versions", 1);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("versions", 0));
        Assert.Equal(0, (await ProduceAsync(client, "versions", 0, Batches.Build(["v3"]), version: 3)).BaseOffset);
        Assert.Equal(1, (await ProduceAsync(client, "versions", 0, Batches.Build(["v11"]), version: 11)).BaseOffset);
        await WaitForHighWatermarkAsync(cluster, "versions", 0, 2);

        MetadataResponse metadata = await client.SendAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "versions" }] }, 12);
        Guid topicId = metadata.Topics.Single().TopicId;
        Assert.NotEqual(Guid.Empty, topicId);
        var request = Fetch("versions", 0, 0);
        request.Topics[0].Topic = "";
        request.Topics[0].TopicId = topicId;
        FetchResponse response = await client.SendAsync<FetchRequest, FetchResponse>(request, 17);
        Assert.Equal(["v3", "v11"], Batches.Read(response.Responses.Single().Partitions.Single().Records!.Value).Select(r => r.Value));
    }

    [Fact]
    public async Task Acks_zero_gets_no_response_and_the_session_continues()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("fire", 1);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("fire", 0));
        await client.SendOnlyAsync(Produce("fire", 0, Batches.Build(["x"]), acks: 0), 9);
        var next = await ProduceAsync(client, "fire", 0, Batches.Build(["y"]), acks: 1);
        Assert.Equal(1, next.BaseOffset);
    }

    [Fact]
    public async Task Bad_batches_and_wrong_leaders_get_kafka_errors()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("checks", 1);
        int leader = cluster.LeaderOf("checks", 0);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, leader);
        byte[] corrupt = Batches.Build(["x"]);
        corrupt[^1] ^= 0xFF;
        Assert.Equal((short)ErrorCode.CorruptMessage, (await ProduceAsync(client, "checks", 0, corrupt)).ErrorCode);
        byte[] two = [.. Batches.Build(["a"]), .. Batches.Build(["b"])];
        Assert.Equal((short)ErrorCode.InvalidRecord, (await ProduceAsync(client, "checks", 0, two)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await ProduceAsync(client, "nope", 0, Batches.Build(["x"]))).ErrorCode);

        await using KafkaTestClient follower = await KafkaTestClient.ConnectAsync(cluster, (leader + 1) % 3);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, (await ProduceAsync(follower, "checks", 0, Batches.Build(["x"]))).ErrorCode);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, (await FetchAsync(follower, "checks", 0, 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, (await FetchAsync(client, "checks", 0, 99)).ErrorCode);
    }

    [Fact]
    public async Task Fetch_long_polls_until_data_arrives_or_max_wait_passes()
    {
        // The cluster's clock only moves when the test advances it, so a fetch that completes can only
        // have been woken by its max wait passing or by data arriving, whichever the test caused.
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time });
        await cluster.CreateTopicAsync("poll", 1);
        int leader = cluster.LeaderOf("poll", 0);
        await using KafkaTestClient consumer = await KafkaTestClient.ConnectAsync(cluster, leader);
        await using KafkaTestClient producer = await KafkaTestClient.ConnectAsync(cluster, leader);

        Task<FetchResponse.PartitionData> expiring = FetchAsync(consumer, "poll", 0, 0, maxWaitMs: 300);
        await Eventually.TrueAsync(() => cluster.RequestCount(leader, ApiKey.Fetch) >= 1, "the first fetch to reach the broker");
        Assert.False(expiring.IsCompleted);
        // The broker may read the request's max wait an instant after it counted the request, so move the clock in steps.
        await time.AdvanceUntilAsync(() => expiring.IsCompleted, TimeSpan.FromMilliseconds(100), "the fetch to end at its max wait");
        FetchResponse.PartitionData empty = await expiring;
        Assert.Equal(0, empty.Records!.Value.Length);

        Task<FetchResponse.PartitionData> waiting = FetchAsync(consumer, "poll", 0, 0, maxWaitMs: 10_000);
        await Eventually.TrueAsync(() => cluster.RequestCount(leader, ApiKey.Fetch) >= 2, "the second fetch to reach the broker");
        Assert.False(waiting.IsCompleted);
        await ProduceAsync(producer, "poll", 0, Batches.Build(["wake"]));
        FetchResponse.PartitionData data = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("wake", Batches.Read(data.Records!.Value).Single().Value);
    }

    [Fact]
    public async Task Fetch_respects_partition_max_bytes_but_returns_at_least_one_batch()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("sizes", 1);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("sizes", 0));
        byte[] batch = Batches.Build(Enumerable.Range(0, 50).Select(i => new string('x', 100)).ToList());
        for (int i = 0; i < 4; i++) await ProduceAsync(client, "sizes", 0, batch);
        await WaitForHighWatermarkAsync(cluster, "sizes", 0, 200);
        FetchResponse response = await client.SendAsync<FetchRequest, FetchResponse>(Fetch("sizes", 0, 0, partitionMaxBytes: 10), 11);
        Assert.Equal(batch.Length, response.Responses[0].Partitions[0].Records!.Value.Length);
        response = await client.SendAsync<FetchRequest, FetchResponse>(Fetch("sizes", 0, 0, partitionMaxBytes: batch.Length * 2 + 10), 11);
        Assert.Equal(batch.Length * 2, response.Responses[0].Partitions[0].Records!.Value.Length);
    }

    [Fact]
    public async Task ListOffsets_finds_earliest_latest_and_by_timestamp_and_DeleteRecords_moves_the_start()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("times", 1);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("times", 0));
        await ProduceAsync(client, "times", 0, Batches.Build(["a", "b", "c"], baseTimestamp: 1000, timestampStep: 10));
        await ProduceAsync(client, "times", 0, Batches.Build(["d", "e"], baseTimestamp: 2000, timestampStep: 10));
        await WaitForHighWatermarkAsync(cluster, "times", 0, 5);

        async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> Lookup(long timestamp)
        {
            var request = new ListOffsetsRequest
            {
                ReplicaId = -1,
                Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = "times", Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }] }],
            };
            return (await client.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(request, 7)).Topics[0].Partitions[0];
        }

        Assert.Equal(0, (await Lookup(-2)).Offset);
        Assert.Equal(5, (await Lookup(-1)).Offset);
        Assert.Equal(1, (await Lookup(1005)).Offset);
        Assert.Equal(1010, (await Lookup(1005)).Timestamp);
        Assert.Equal(3, (await Lookup(1500)).Offset);
        Assert.Equal(-1, (await Lookup(9999)).Offset);
        Assert.Equal(4, (await Lookup(-3)).Offset);

        var delete = new DeleteRecordsRequest
        {
            TimeoutMs = 1000,
            Topics = [new DeleteRecordsRequest.DeleteRecordsTopic { Name = "times", Partitions = [new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = 0, Offset = 3 }] }],
        };
        var deleted = await client.SendAsync<DeleteRecordsRequest, DeleteRecordsResponse>(delete, 2);
        Assert.Equal(3, deleted.Topics[0].Partitions[0].LowWatermark);
        Assert.Equal(3, (await Lookup(-2)).Offset);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, (await FetchAsync(client, "times", 0, 1)).ErrorCode);
    }

    internal static async Task WaitForHighWatermarkAsync(SimulatedCluster cluster, string topic, int partition, long expected)
    {
        await Eventually.TrueAsync(() => cluster.HighWatermark(topic, partition) >= expected, $"{topic}-{partition} to reach offset {expected}");
        Assert.Equal(expected, cluster.HighWatermark(topic, partition));
    }
}
