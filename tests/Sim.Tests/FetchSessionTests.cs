using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using KafkaNative.TestSupport;

namespace KafkaNative.Sim.Tests;

/// <summary>Fetch sessions (KIP-227) on the Sim, with raw requests: one broker leads every partition.</summary>
public sealed class FetchSessionTests
{
    private const string Topic = "sessions";

    private static FetchRequest Request(int sessionId, int epoch, params (int Partition, long Offset)[] partitions)
    {
        var request = new FetchRequest { MaxWaitMs = 0, MinBytes = 1, MaxBytes = 50 << 20, SessionId = sessionId, SessionEpoch = epoch };
        if (partitions.Length > 0)
        {
            request.Topics.Add(new FetchRequest.FetchTopic
            {
                Topic = Topic,
                Partitions = partitions.Select(p => new FetchRequest.FetchPartition { Partition = p.Partition, FetchOffset = p.Offset, PartitionMaxBytes = 1 << 20 }).ToList(),
            });
        }
        return request;
    }

    private static Task<FetchResponse> FetchAsync(KafkaTestClient client, FetchRequest request, short version = 12) =>
        client.SendAsync<FetchRequest, FetchResponse>(request, version, TimeSpan.FromSeconds(20));

    private static int[] Partitions(FetchResponse response) => response.Responses.SelectMany(t => t.Partitions).Select(p => p.PartitionIndex).Order().ToArray();

    private static async Task<(SimulatedCluster Cluster, KafkaTestClient Client)> StartAsync(int partitions = 4, int slots = 1000)
    {
        SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options(brokers: 1) with { FetchSessionCacheSlots = slots });
        await cluster.CreateTopicAsync(Topic, partitions, replicationFactor: 1);
        return (cluster, await KafkaTestClient.ConnectAsync(cluster, 0));
    }

    private static async Task ProduceAsync(SimulatedCluster cluster, KafkaTestClient client, int partition, string value, long expectedEnd)
    {
        Assert.Equal((short)ErrorCode.None, (await ProduceFetchTests.ProduceAsync(client, Topic, partition, Batches.Build([value]))).ErrorCode);
        await ProduceFetchTests.WaitForHighWatermarkAsync(cluster, Topic, partition, expectedEnd);
    }

    [Fact]
    public async Task Epoch_zero_opens_a_session_and_incremental_fetches_answer_only_partitions_with_news()
    {
        (SimulatedCluster cluster, KafkaTestClient client) = await StartAsync();
        await using SimulatedCluster _ = cluster;
        await using KafkaTestClient __ = client;
        await ProduceAsync(cluster, client, 0, "a", 1);

        FetchResponse opened = await FetchAsync(client, Request(0, 0, (0, 0), (1, 0), (2, 0), (3, 0)));
        Assert.NotEqual(0, opened.SessionId);
        Assert.Equal(new[] { 0, 1, 2, 3 }, Partitions(opened));
        int id = opened.SessionId;

        // p0 moves past its record; nothing else changed: an empty answer, same session.
        FetchResponse quiet = await FetchAsync(client, Request(id, 1, (0, 1)));
        Assert.Equal(id, quiet.SessionId);
        Assert.Empty(Partitions(quiet));

        // New data on p2: only p2 is answered, though the request names no partition.
        await ProduceAsync(cluster, client, 2, "b", 1);
        FetchResponse news = await FetchAsync(client, Request(id, 2));
        FetchResponse.PartitionData p2 = Assert.Single(news.Responses.SelectMany(t => t.Partitions));
        Assert.Equal(2, p2.PartitionIndex);
        Assert.Equal(1, p2.HighWatermark);
        Assert.Equal(["b"], Batches.Read(p2.Records!.Value).Select(r => r.Value));

        // Its new offset is sent; its high watermark was sent already: nothing to answer.
        Assert.Empty(Partitions(await FetchAsync(client, Request(id, 3, (2, 1)))));
        FetchSessionStatistics stats = cluster.FetchSessionStats();
        Assert.Equal(1, stats.Full);
        Assert.Equal(3, stats.Incremental);
    }

    [Fact]
    public async Task Forgotten_partitions_leave_the_session()
    {
        (SimulatedCluster cluster, KafkaTestClient client) = await StartAsync();
        await using SimulatedCluster _ = cluster;
        await using KafkaTestClient __ = client;
        int id = (await FetchAsync(client, Request(0, 0, (0, 0), (1, 0), (2, 0), (3, 0)))).SessionId;

        FetchRequest forget = Request(id, 1);
        forget.ForgottenTopicsData.Add(new FetchRequest.ForgottenTopic { Topic = Topic, Partitions = [1] });
        Assert.Empty(Partitions(await FetchAsync(client, forget)));

        await ProduceAsync(cluster, client, 1, "forgotten", 1);
        await ProduceAsync(cluster, client, 3, "kept", 1);
        FetchResponse response = await FetchAsync(client, Request(id, 2));
        Assert.Equal(new[] { 3 }, Partitions(response));

        // A forgotten partition named again is back in the session (p3 moves past its record).
        Assert.Equal(new[] { 1 }, Partitions(await FetchAsync(client, Request(id, 3, (1, 0), (3, 1)))));
    }

    [Fact]
    public async Task Wrong_epoch_and_unknown_id_are_refused_without_touching_the_session()
    {
        (SimulatedCluster cluster, KafkaTestClient client) = await StartAsync();
        await using SimulatedCluster _ = cluster;
        await using KafkaTestClient __ = client;
        int id = (await FetchAsync(client, Request(0, 0, (0, 0)))).SessionId;

        FetchResponse wrongEpoch = await FetchAsync(client, Request(id, 5));
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, wrongEpoch.ErrorCode);
        Assert.Empty(wrongEpoch.Responses);
        FetchResponse unknown = await FetchAsync(client, Request(id + 1000, 1));
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, unknown.ErrorCode);
        Assert.Equal(0, unknown.SessionId);

        FetchResponse right = await FetchAsync(client, Request(id, 1));
        Assert.Equal((short)ErrorCode.None, right.ErrorCode);
        Assert.Equal(id, right.SessionId);
        Assert.Equal(2, cluster.FetchSessionStats().SessionErrors);
    }

    [Fact]
    public async Task A_session_opened_at_a_topic_id_version_refuses_a_topic_name_version()
    {
        (SimulatedCluster cluster, KafkaTestClient client) = await StartAsync(partitions: 1);
        await using SimulatedCluster _ = cluster;
        await using KafkaTestClient __ = client;
        MetadataResponse metadata = await client.SendAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = Topic }] }, 12);
        FetchRequest open = Request(0, 0, (0, 0));
        open.Topics[0].Topic = "";
        open.Topics[0].TopicId = metadata.Topics.Single().TopicId;
        FetchResponse opened = await FetchAsync(client, open, version: 16);
        Assert.Equal(metadata.Topics.Single().TopicId, opened.Responses.Single().TopicId);

        await ProduceAsync(cluster, client, 0, "id", 1);
        FetchResponse byId = await FetchAsync(client, Request(opened.SessionId, 1), version: 16);
        Assert.Equal(["id"], Batches.Read(byId.Responses.Single().Partitions.Single().Records!.Value).Select(r => r.Value));
        Assert.Equal((short)ErrorCode.FetchSessionTopicIdError, (await FetchAsync(client, Request(opened.SessionId, 2), version: 12)).ErrorCode);
    }

    [Fact]
    public async Task A_full_cache_evicts_the_least_recently_used_session()
    {
        (SimulatedCluster cluster, KafkaTestClient first) = await StartAsync(slots: 1);
        await using SimulatedCluster _ = cluster;
        await using KafkaTestClient __ = first;
        await using KafkaTestClient second = await KafkaTestClient.ConnectAsync(cluster, 0);
        int firstId = (await FetchAsync(first, Request(0, 0, (0, 0)))).SessionId;
        int secondId = (await FetchAsync(second, Request(0, 0, (1, 0)))).SessionId;
        Assert.NotEqual(firstId, secondId);

        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, (await FetchAsync(first, Request(firstId, 1))).ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await FetchAsync(second, Request(secondId, 1))).ErrorCode);
        Assert.Equal(1, cluster.FetchSessionStats().Evicted);
    }

    [Fact]
    public async Task Epoch_minus_one_closes_the_session_and_fetches_without_one()
    {
        (SimulatedCluster cluster, KafkaTestClient client) = await StartAsync();
        await using SimulatedCluster _ = cluster;
        await using KafkaTestClient __ = client;
        await ProduceAsync(cluster, client, 0, "a", 1);
        int id = (await FetchAsync(client, Request(0, 0, (0, 0)))).SessionId;

        FetchResponse closing = await FetchAsync(client, Request(id, -1, (0, 0)));
        Assert.Equal(0, closing.SessionId);
        Assert.Equal(new[] { 0 }, Partitions(closing));
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, (await FetchAsync(client, Request(id, 1))).ErrorCode);

        // Epoch 0 naming a session closes it and opens a new one.
        int reopened = (await FetchAsync(client, Request(0, 0, (0, 1)))).SessionId;
        int replaced = (await FetchAsync(client, Request(reopened, 0, (0, 1)))).SessionId;
        Assert.NotEqual(reopened, replaced);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, (await FetchAsync(client, Request(reopened, 1))).ErrorCode);
        FetchSessionStatistics stats = cluster.FetchSessionStats();
        Assert.Equal(2, stats.Closed);
        Assert.Equal(1, stats.Sessionless);
    }

    [Fact]
    public async Task A_cache_without_slots_answers_every_fetch_in_full_without_a_session()
    {
        (SimulatedCluster cluster, KafkaTestClient client) = await StartAsync(slots: 0);
        await using SimulatedCluster _ = cluster;
        await using KafkaTestClient __ = client;
        FetchResponse response = await FetchAsync(client, Request(0, 0, (0, 0), (1, 0)));
        Assert.Equal(0, response.SessionId);
        Assert.Equal(new[] { 0, 1 }, Partitions(response));
    }

    [Fact]
    public async Task An_incremental_fetch_long_polls_until_a_session_partition_has_data()
    {
        (SimulatedCluster cluster, KafkaTestClient client) = await StartAsync();
        await using SimulatedCluster _ = cluster;
        await using KafkaTestClient __ = client;
        await using KafkaTestClient producer = await KafkaTestClient.ConnectAsync(cluster, 0);
        int id = (await FetchAsync(client, Request(0, 0, (0, 0), (1, 0)))).SessionId;

        FetchRequest poll = Request(id, 1);
        poll.MaxWaitMs = 30_000;
        Task<FetchResponse> waiting = FetchAsync(client, poll);
        await Eventually.TrueAsync(() => cluster.FetchSessionStats().Incremental == 1, "the incremental fetch to reach the broker");
        Assert.False(waiting.IsCompleted);
        await ProduceAsync(cluster, producer, 1, "late", 1);
        FetchResponse response = await waiting;
        Assert.Equal(new[] { 1 }, Partitions(response));
    }
}
