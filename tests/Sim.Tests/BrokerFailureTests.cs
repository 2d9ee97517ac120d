using System.Net.Sockets;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static KafkaNative.Sim.Tests.ProduceFetchTests;

namespace KafkaNative.Sim.Tests;

/// <summary>A broker leaving as Kafka's do: a controlled shutdown hands over first; a crash is noticed only after its session timeout.</summary>
public sealed class BrokerFailureTests
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(9);

    private static async Task<MetadataResponse> MetadataAsync(KafkaTestClient client, string topic) =>
        await client.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] }, 9);

    private static async Task<int> CoordinatorAsync(KafkaTestClient client, string group) =>
        (await client.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = group }, 3)).NodeId;

    /// <summary>A group id whose coordinator is <paramref name="brokerId"/>.</summary>
    private static string GroupCoordinatedBy(SimulatedCluster cluster, int brokerId) =>
        Enumerable.Range(0, 1000).Select(i => $"group-{i}").First(g => cluster.CoordinatorOf(g) == brokerId);

    [Fact]
    public async Task A_controlled_shutdown_moves_leaders_and_coordinators_before_its_sessions_close()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("handover", 6);
        const int stopping = 1;
        string group = GroupCoordinatedBy(cluster, stopping);
        Assert.Contains(Enumerable.Range(0, 6), p => cluster.LeaderOf("handover", p) == stopping);
        await using KafkaTestClient live = await KafkaTestClient.ConnectAsync(cluster, 0);
        await using KafkaTestClient session = await KafkaTestClient.ConnectAsync(cluster, stopping);
        // What the controller says the moment the client sees the session close.
        Task<(bool Closed, int[] Leaders, int Coordinator)> atClose = session.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)).ContinueWith(
            closed => (closed.Result, Enumerable.Range(0, 6).Select(p => cluster.LeaderOf("handover", p)).ToArray(), cluster.CoordinatorOf(group)),
            TaskContinuationOptions.ExecuteSynchronously);

        Task stop = cluster.StopBrokerAsync(stopping);
        (bool closed, int[] leaders, int coordinator) = await atClose;
        Assert.True(closed, "the stopping broker's session did not close");
        Assert.DoesNotContain(stopping, leaders);
        Assert.All(leaders, leader => Assert.True(leader >= 0));
        Assert.NotEqual(stopping, coordinator);
        // And so does every live broker's metadata.
        MetadataResponse metadata = await MetadataAsync(live, "handover");
        Assert.DoesNotContain(metadata.Topics[0].Partitions, p => p.LeaderId == stopping);
        Assert.All(metadata.Topics[0].Partitions, p => Assert.True(p.LeaderId >= 0));
        Assert.NotEqual(stopping, await CoordinatorAsync(live, group));
        await stop;

        metadata = await MetadataAsync(live, "handover");
        Assert.DoesNotContain(metadata.Brokers, b => b.NodeId == stopping);
        Assert.DoesNotContain(metadata.Topics[0].Partitions, p => p.LeaderId == stopping || p.IsrNodes.Contains(stopping));
    }

    [Fact]
    public async Task A_killed_broker_resets_its_connections_and_stays_leader_until_its_session_times_out()
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time, BrokerSessionTimeout = SessionTimeout });
        await cluster.CreateTopicAsync("crash", 1);
        int victim = cluster.LeaderOf("crash", 0);
        int survivor = (victim + 1) % 3;
        string group = GroupCoordinatedBy(cluster, victim);
        await using (KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, victim))
        {
            for (int i = 0; i < 3; i++) Assert.Equal((short)ErrorCode.None, (await ProduceAsync(leader, "crash", 0, Batches.Build([$"before-{i}"]))).ErrorCode);
        }
        await using KafkaTestClient doomed = await KafkaTestClient.ConnectAsync(cluster, victim);
        await using KafkaTestClient live = await KafkaTestClient.ConnectAsync(cluster, survivor);

        await cluster.KillBrokerAsync(victim);

        // The client learns at once, from a reset, not from a timeout; new connections are refused.
        IOException reset = await Assert.ThrowsAsync<IOException>(() => doomed.ReceiveFrameAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(reset.InnerException).SocketErrorCode);
        SocketException refused = await Assert.ThrowsAsync<SocketException>(() => KafkaTestClient.ConnectAsync(cluster, victim));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        // The controller has not noticed: metadata still names the dead broker, as Kafka's does.
        time.Advance(SessionTimeout - TimeSpan.FromMilliseconds(1));
        MetadataResponse metadata = await MetadataAsync(live, "crash");
        Assert.Equal(victim, metadata.Topics[0].Partitions[0].LeaderId);
        Assert.Contains(metadata.Brokers, b => b.NodeId == victim);
        Assert.Equal(victim, await CoordinatorAsync(live, group));

        time.Advance(TimeSpan.FromMilliseconds(1));
        metadata = await MetadataAsync(live, "crash");
        int successor = metadata.Topics[0].Partitions[0].LeaderId;
        Assert.NotEqual(victim, successor);
        Assert.True(successor >= 0);
        Assert.DoesNotContain(metadata.Brokers, b => b.NodeId == victim);
        Assert.DoesNotContain(victim, metadata.Topics[0].Partitions[0].IsrNodes);
        Assert.NotEqual(victim, await CoordinatorAsync(live, group));

        await using (KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, successor))
        {
            ProduceResponse.PartitionProduceResponse produced = await ProduceAsync(leader, "crash", 0, Batches.Build(["after"]));
            Assert.Equal((short)ErrorCode.None, produced.ErrorCode);
            Assert.Equal(3, produced.BaseOffset);
        }
        await cluster.StartBrokerAsync(victim);
        await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(10));
        await cluster.MoveLeaderAsync("crash", 0, victim);
        Assert.Equal(["before-0", "before-1", "before-2", "after"], cluster.ReadBatches("crash", 0).SelectMany(b => Batches.Read(b)).Select(r => r.Value));
    }

    [Fact]
    public async Task A_killed_broker_restarted_before_its_session_timeout_is_fenced_once_and_catches_up()
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time, BrokerSessionTimeout = SessionTimeout });
        await cluster.CreateTopicAsync("bounce", 1);
        int victim = cluster.LeaderOf("bounce", 0);
        await using (KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, victim))
        {
            await ProduceAsync(leader, "bounce", 0, Batches.Build(["kept"]));
        }
        await cluster.KillBrokerAsync(victim);
        await cluster.StartBrokerAsync(victim);

        // Its new incarnation follows the leader elected when its old one was fenced.
        int successor = cluster.LeaderOf("bounce", 0);
        Assert.NotEqual(victim, successor);
        await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(10));
        // The old session's timeout no longer fences the broker that came back.
        time.Advance(SessionTimeout * 2);
        await using KafkaTestClient live = await KafkaTestClient.ConnectAsync(cluster, successor);
        MetadataResponse metadata = await MetadataAsync(live, "bounce");
        Assert.Contains(metadata.Brokers, b => b.NodeId == victim);
        Assert.Contains(victim, metadata.Topics[0].Partitions[0].IsrNodes);
        await cluster.MoveLeaderAsync("bounce", 0, victim);
        Assert.Equal(["kept"], cluster.ReadBatches("bounce", 0).SelectMany(b => Batches.Read(b)).Select(r => r.Value));
    }

    [Fact]
    public async Task A_second_cluster_on_a_port_in_use_is_refused_with_a_clear_error()
    {
        await using SimulatedCluster first = await SimulatedCluster.StartAsync(Clusters.Options(brokers: 1));
        int port = int.Parse(first.BootstrapServers.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

        IOException error = await Assert.ThrowsAsync<IOException>(() => SimulatedCluster.StartAsync(Clusters.Options(brokers: 1) with { BasePort = port }));
        Assert.Contains($"port {port} is already in use", error.Message);
        // The first cluster still serves.
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(first, 0);
        Assert.Single((await MetadataAsync(client, "still-here")).Brokers);
    }

    [Fact]
    public async Task A_negative_broker_session_timeout_is_refused()
    {
        ArgumentOutOfRangeException error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => SimulatedCluster.StartAsync(Clusters.Options() with { BrokerSessionTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Contains("BrokerSessionTimeout", error.Message);
    }
}
