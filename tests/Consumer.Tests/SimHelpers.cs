using System.Text;
using KafkaNative.Client;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim;

namespace KafkaNative.Consumer.Tests;

/// <summary>Producing test data straight through the protocol layer, and kcat as a child process.</summary>
internal static class SimHelpers
{

    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    public static Task<SimulatedCluster> StartAsync(int brokers = 3) =>
        SimulatedCluster.StartAsync(new ClusterOptions { Brokers = brokers, BasePort = 0 });

    public static ConsumerOptions Options(SimulatedCluster cluster, string? group = null) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxWait = TimeSpan.FromMilliseconds(100),
        SessionTimeout = TimeSpan.FromSeconds(6),
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        RebalanceTimeout = TimeSpan.FromSeconds(20),
        AutoCommitInterval = TimeSpan.FromMilliseconds(300),
        RequestTimeout = TimeSpan.FromSeconds(10),
        ReconnectBackoffMax = TimeSpan.FromSeconds(1),
        RetryBackoff = TimeSpan.FromMilliseconds(50),
        MetadataMinRefreshInterval = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>Produces "{prefix}{i}" values for i in [from, to) to one partition, in batches of 50, acks=all.</summary>
    public static async Task ProduceAsync(KafkaCluster cluster, string topic, int partition, int from, int to, string prefix = "")
    {
        using var builder = new RecordBatchBuilder();
        for (int start = from; start < to; start += 50)
        {
            builder.Reset();
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (int i = start; i < Math.Min(to, start + 50); i++)
                builder.Append(now, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"{prefix}{i}"));
            var request = new ProduceRequest
            {
                Acks = -1,
                TimeoutMs = 10_000,
                TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = builder.Build().ToArray() }] }],
            };
            KafkaErrorException? last = null;
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    using BrokerLease lease = await cluster.AcquireLeaderAsync(topic, partition);
                    ProduceResponse response = await lease.Broker.SendAsync<ProduceRequest, ProduceResponse>(request, new SendOptions(MaxVersion: 9));
                    short error = response.Responses.SelectMany(r => r.PartitionResponses).Select(p => p.ErrorCode).FirstOrDefault();
                    if (error == 0) return true;
                    last = new KafkaErrorException((ErrorCode)error, "produce", (string?)null);
                }
                catch (KafkaErrorException exception)
                {
                    last = exception;
                }
                try
                {
                    await cluster.RefreshMetadataAsync();
                }
                catch (KafkaErrorException exception)
                {
                    // The broker asked may be the stopped one: the next attempt asks another.
                    last = exception;
                }
                return false;
            }, () => $"a produce to {topic}-{partition} to succeed (last error: {last?.Message})");
        }
    }

    /// <summary>The node id of a group's coordinator.</summary>
    public static async Task<int> FindCoordinatorAsync(KafkaCluster cluster, string group)
    {
        ClusterMetadata metadata = await cluster.GetMetadataAsync();
        using BrokerLease lease = await cluster.AcquireBrokerAsync(metadata.Brokers.Keys.First());
        FindCoordinatorResponse response = await lease.Broker.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
            new FindCoordinatorRequest { Key = group }, new SendOptions(MaxVersion: 3));
        return response.NodeId;
    }
}
