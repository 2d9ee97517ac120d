using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace KafkaNative.Client.Tests;

public sealed class MetadataTests
{
    private static Func<MetadataRequest, MetadataResponse> Cluster(params FakeBroker[] brokers) => request =>
    {
        var response = new MetadataResponse { ClusterId = "fake", ControllerId = brokers[0].NodeId };
        foreach (FakeBroker b in brokers)
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = b.NodeId, Host = "127.0.0.1", Port = b.Port });
        foreach (MetadataRequest.MetadataRequestTopic topic in request.Topics ?? [])
        {
            var t = new MetadataResponse.MetadataResponseTopic { Name = topic.Name };
            for (int p = 0; p < 3; p++)
                t.Partitions.Add(new MetadataResponse.MetadataResponsePartition { PartitionIndex = p, LeaderId = brokers[p % brokers.Length].NodeId, ReplicaNodes = [brokers[p % brokers.Length].NodeId] });
            response.Topics.Add(t);
        }
        return response;
    };

    [Fact]
    public async Task ConcurrentRefreshesShareOneRequest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broker = new FakeBroker();
        broker.Metadata = Cluster(broker);
        broker.OnRequest = async request =>
        {
            if (request.ApiKey == ApiKey.Metadata) await release.Task;
            return false;
        };
        await using var cluster = new KafkaCluster(TestOptions.For(broker.Bootstrap));
        Task<ClusterMetadata>[] refreshes = Enumerable.Range(0, 100).Select(_ => cluster.RefreshMetadataAsync()).ToArray();
        release.SetResult();
        ClusterMetadata[] results = await Task.WhenAll(refreshes).WaitAsync(TestOptions.NoHang);
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal(1, broker.Count(ApiKey.Metadata));
    }

    [Fact]
    public async Task RefreshesAreRateLimited()
    {
        await using var broker = new FakeBroker();
        broker.Metadata = Cluster(broker);
        var time = new FakeTimeProvider();
        await using var cluster = new KafkaCluster(TestOptions.For(broker.Bootstrap, o =>
        {
            o.MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(300);
            o.TimeProvider = time;
        }));
        DateTimeOffset firstStart = time.GetUtcNow();
        await cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang);
        for (int i = 2; i <= 4; i++)
        {
            // Each further refresh starts only once the fake clock has moved the interval on from the previous start.
            Task<ClusterMetadata> refresh = cluster.RefreshMetadataAsync();
            await time.AdvanceUntilAsync(() => refresh.IsCompleted, TimeSpan.FromMilliseconds(50), $"refresh {i}");
            await refresh;
            TimeSpan sinceFirst = time.GetUtcNow() - firstStart;
            Assert.True(sinceFirst >= TimeSpan.FromMilliseconds(300 * (i - 1)), $"refresh {i} came {sinceFirst} after the first");
            Assert.Equal(i, broker.Count(ApiKey.Metadata));
        }

        // A storm of callers during the wait joins the one queued refresh.
        Task<ClusterMetadata>[] storm = Enumerable.Range(0, 50).Select(_ => cluster.RefreshMetadataAsync()).ToArray();
        await time.AdvanceUntilAsync(() => storm.All(r => r.IsCompleted), TimeSpan.FromMilliseconds(50), "the storm's refresh");
        await Task.WhenAll(storm);
        Assert.Equal(5, broker.Count(ApiKey.Metadata));
    }

    [Fact]
    public async Task ATopicAddedDuringARefreshGetsAFollowUpRefresh()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var broker = new FakeBroker();
        broker.Metadata = Cluster(broker);
        broker.OnRequest = async request =>
        {
            if (request.ApiKey == ApiKey.Metadata) await gate.Task;
            return false;
        };
        await using var cluster = new KafkaCluster(TestOptions.For(broker.Bootstrap));
        Task<ClusterMetadata> first = cluster.RefreshMetadataAsync();
        await Eventually.TrueAsync(() => broker.Count(ApiKey.Metadata) == 1, "first refresh in flight");
        ValueTask<TopicMetadata> topic = cluster.GetTopicAsync("orders");
        gate.SetResult();
        Assert.Empty((await first.WaitAsync(TestOptions.NoHang)).Topics);
        TopicMetadata orders = await topic.AsTask().WaitAsync(TestOptions.NoHang);
        Assert.Equal(ErrorCode.None, orders.Error);
        Assert.Equal(3, orders.Partitions.Count);
        Assert.Equal(2, broker.Count(ApiKey.Metadata));
    }

    [Fact]
    public async Task AFailedBrokerIsNotAskedFirstAgainAndLeadersResolveToLeases()
    {
        await using var one = new FakeBroker(1);
        await using var two = new FakeBroker(2);
        one.Metadata = Cluster(one, two);
        two.Metadata = Cluster(one, two);
        await using var cluster = new KafkaCluster(TestOptions.For(one.Bootstrap));
        ClusterMetadata metadata = await cluster.GetMetadataAsync();
        Assert.Equal([1, 2], metadata.Brokers.Keys.Order());

        using (BrokerLease leader = await cluster.AcquireLeaderAsync("t", 1))
            Assert.Equal(2, leader.Broker.NodeId);

        // Broker 1 answered the bootstrap request; now it fails mid-request.
        one.OnRequest = request =>
        {
            if (request.ApiKey != ApiKey.Metadata) return ValueTask.FromResult(false);
            request.Connection.Close();
            return ValueTask.FromResult(true);
        };
        int oneBefore = one.Count(ApiKey.Metadata);
        ClusterMetadata refreshed = await cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang);
        Assert.Equal(2, refreshed.SourceNodeId);
        Assert.True(one.Count(ApiKey.Metadata) <= oneBefore + 1);

        int oneAfter = one.Count(ApiKey.Metadata);
        await cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang);
        Assert.Equal(oneAfter, one.Count(ApiKey.Metadata));
    }

    [Fact]
    public async Task ARefreshAsksAnIdleBrokerRatherThanOneWhoseConnectionIsBusy()
    {
        // A broker answers a connection's requests one at a time: behind a held request (a long-polling fetch,
        // a produce waiting for its replicas; here a ListOffsets), a Metadata request would wait.
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var one = new FakeBroker(1);
        await using var two = new FakeBroker(2);
        one.Metadata = Cluster(one, two);
        two.Metadata = Cluster(one, two);
        one.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.ListOffsets) return false;
            await hold.Task;
            return true;
        };
        await using var cluster = new KafkaCluster(TestOptions.For(one.Bootstrap));
        Assert.Equal(1, (await cluster.GetMetadataAsync()).SourceNodeId);
        using var stop = new CancellationTokenSource();
        using BrokerLease busy = await cluster.AcquireBrokerAsync(1);
        Task held = busy.Broker.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(new ListOffsetsRequest(), stop.Token).AsTask();
        await Eventually.TrueAsync(() => one.Count(ApiKey.ListOffsets) == 1, () => "broker 1 holding the request");
        int asked = one.Count(ApiKey.Metadata);

        ClusterMetadata refreshed = await cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang);

        Assert.Equal(2, refreshed.SourceNodeId);
        Assert.Equal(asked, one.Count(ApiKey.Metadata));
        await stop.CancelAsync();
        hold.SetResult();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
    }

    [Fact]
    public async Task RepeatedFailuresOpenTheCircuitBreakerAndStopTheTraffic()
    {
        await using var broker = new FakeBroker();
        broker.OnRequest = request =>
        {
            request.Connection.Close();
            return ValueTask.FromResult(true);
        };
        await using var cluster = new KafkaCluster(TestOptions.For(broker.Bootstrap, o =>
        {
            o.ReconnectBackoffMin = TimeSpan.FromMilliseconds(1);
            o.ReconnectBackoffMax = TimeSpan.FromMilliseconds(2);
        }));
        var messages = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            var exception = await Assert.ThrowsAsync<KafkaConnectionException>(() => cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang));
            messages.Add(exception.Message);
        }
        Assert.Contains(messages, m => m.Contains("circuit breaker open"));
        int accepted = broker.Accepted;
        await Assert.ThrowsAsync<KafkaConnectionException>(() => cluster.RefreshMetadataAsync().WaitAsync(TestOptions.NoHang));
        Assert.Equal(accepted, broker.Accepted);
    }

    [Fact]
    public async Task AnUnknownBrokerIsReportedAsNotAvailable()
    {
        await using var broker = new FakeBroker();
        await using var cluster = new KafkaCluster(TestOptions.For(broker.Bootstrap));
        var exception = await Assert.ThrowsAsync<KafkaErrorException>(() => cluster.AcquireBrokerAsync(42).AsTask());
        Assert.Equal(ErrorCode.BrokerNotAvailable, exception.ErrorCode);
    }
}
