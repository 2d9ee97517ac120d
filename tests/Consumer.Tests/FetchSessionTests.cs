using KafkaNative.Client;
using KafkaNative.Consumer.Fetching;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Tests;

/// <summary>The client's fetch session bookkeeping (KIP-227), request by request, without a broker.</summary>
public sealed class FetchSessionTests
{
    private static readonly ConsumerOptions Settings = new() { BootstrapServers = "127.0.0.1:1" };

    private static List<(PartitionConsumer Partition, long Offset, int Version, int LastFetchedEpoch, int CurrentLeaderEpoch)> Fetching(ConsumerContext context, params (string Topic, int Partition, long Offset)[] partitions) =>
        partitions.Select(p => ((PartitionConsumer)new PartitionConsumer<string?, string?>(context, new TopicPartition(p.Topic, p.Partition), p.Offset, Deserializers.Utf8, Deserializers.Utf8), p.Offset, 0, -1, -1)).ToList();

    private static string[] Sent(FetchRequest request) =>
        request.Topics.SelectMany(t => t.Partitions.Select(p => $"{t.Topic}-{p.Partition}@{p.FetchOffset}")).ToArray();

    [Fact]
    public async Task Opens_then_sends_only_changes_and_forgotten_partitions_and_wraps_the_epoch()
    {
        await using var cluster = new KafkaCluster(Settings);
        var context = new ConsumerContext(cluster, Settings, _ => { });
        var session = new FetchSession(enabled: true);
        var request = new FetchRequest();

        session.Build(request, Fetching(context, ("a", 0, 5), ("a", 1, 7), ("b", 0, 0)), 1024);
        Assert.Equal((0, 0), (request.SessionId, request.SessionEpoch));
        Assert.Equal(["a-0@5", "a-1@7", "b-0@0"], Sent(request));
        Assert.True(session.OnResponse(new FetchResponse { SessionId = 42 }));

        session.Build(request, Fetching(context, ("a", 0, 6), ("a", 1, 7)), 1024);
        Assert.Equal((42, 1), (request.SessionId, request.SessionEpoch));
        Assert.Equal(["a-0@6"], Sent(request));
        Assert.Equal("b", Assert.Single(request.ForgottenTopicsData).Topic);
        Assert.True(session.OnResponse(new FetchResponse { SessionId = 42 }));

        session.Epoch = int.MaxValue;
        session.Build(request, Fetching(context, ("a", 0, 6), ("a", 1, 7)), 1024);
        Assert.Equal(int.MaxValue, request.SessionEpoch);
        Assert.Empty(request.Topics);
        Assert.Empty(request.ForgottenTopicsData);
        Assert.True(session.OnResponse(new FetchResponse { SessionId = 42 }));
        Assert.Equal(1, session.Epoch);
    }

    [Fact]
    public async Task Session_errors_and_failures_fall_back_to_a_full_fetch()
    {
        await using var cluster = new KafkaCluster(Settings);
        var context = new ConsumerContext(cluster, Settings, _ => { });
        var session = new FetchSession(enabled: true);
        var request = new FetchRequest();
        var partitions = Fetching(context, ("a", 0, 5));

        session.Build(request, partitions, 1024);
        session.OnResponse(new FetchResponse { SessionId = 42 });
        session.Build(request, partitions, 1024);
        Assert.False(session.OnResponse(new FetchResponse { ErrorCode = (short)ErrorCode.InvalidFetchSessionEpoch }));
        session.Build(request, partitions, 1024);
        Assert.Equal((42, 0), (request.SessionId, request.SessionEpoch));   // closes 42, opens a new one
        Assert.Equal(["a-0@5"], Sent(request));

        session.OnResponse(new FetchResponse { SessionId = 43 });
        session.Build(request, partitions, 1024);
        Assert.False(session.OnResponse(new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound }));
        session.Build(request, partitions, 1024);
        Assert.Equal((0, 0), (request.SessionId, request.SessionEpoch));

        // A session error to a full fetch is no reason to retry at once: the caller fails the fetch.
        Assert.True(session.OnResponse(new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound }));
        session.Reset();
        session.Build(request, partitions, 1024);
        Assert.Equal((0, 0), (request.SessionId, request.SessionEpoch));
        session.OnResponse(new FetchResponse { SessionId = 44 });
        session.Reset();
        session.Build(request, partitions, 1024);
        Assert.Equal((44, 0), (request.SessionId, request.SessionEpoch));
        session.OnResponse(new FetchResponse { SessionId = 45 });
        FetchRequest close = Assert.IsType<FetchRequest>(session.CloseRequest());
        Assert.Equal((45, -1), (close.SessionId, close.SessionEpoch));
        Assert.Empty(close.Topics);
    }

    [Fact]
    public async Task Off_every_fetch_is_full_and_sessionless()
    {
        await using var cluster = new KafkaCluster(Settings);
        var context = new ConsumerContext(cluster, Settings, _ => { });
        var session = new FetchSession(enabled: false);
        var request = new FetchRequest();
        var partitions = Fetching(context, ("a", 0, 5), ("a", 1, 5));
        for (int i = 0; i < 2; i++)
        {
            session.Build(request, partitions, 1024);
            Assert.Equal((0, -1), (request.SessionId, request.SessionEpoch));
            Assert.Equal(["a-0@5", "a-1@5"], Sent(request));
            Assert.True(session.OnResponse(new FetchResponse { SessionId = 42 }));
        }
        Assert.Null(session.CloseRequest());
    }
}
