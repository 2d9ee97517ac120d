using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Tests.Support;
using static KafkaNative.Sim.Tests.ProduceFetchTests;

namespace KafkaNative.Sim.Tests;

public sealed class IdempotenceTests
{
    [Fact]
    public async Task Duplicates_are_acknowledged_once_stored_and_gaps_are_rejected()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("idem", 1);
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("idem", 0));
        InitProducerIdResponse init = await client.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(
            new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60000 }, 4);
        Assert.Equal((short)ErrorCode.None, init.ErrorCode);
        long pid = init.ProducerId;
        short epoch = init.ProducerEpoch;

        var first = await ProduceAsync(client, "idem", 0, Batches.Build(["a", "b"], pid, epoch, 0));
        var second = await ProduceAsync(client, "idem", 0, Batches.Build(["c"], pid, epoch, 2));
        var duplicate = await ProduceAsync(client, "idem", 0, Batches.Build(["a", "b"], pid, epoch, 0));
        Assert.Equal((short)ErrorCode.None, duplicate.ErrorCode);
        Assert.Equal(first.BaseOffset, duplicate.BaseOffset);
        Assert.Equal(2, cluster.ReadBatches("idem", 0).Count);

        var gap = await ProduceAsync(client, "idem", 0, Batches.Build(["e"], pid, epoch, 5));
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, gap.ErrorCode);
        var unknownStart = await ProduceAsync(client, "idem", 0, Batches.Build(["z"], pid + 1000, 0, 7));
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, unknownStart.ErrorCode);
        var next = await ProduceAsync(client, "idem", 0, Batches.Build(["d"], pid, epoch, 3));
        Assert.Equal(3, next.BaseOffset);
        Assert.Equal(2, second.BaseOffset);

        var staleEpoch = await ProduceAsync(client, "idem", 0, Batches.Build(["old"], pid, (short)(epoch - 1), 4));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, staleEpoch.ErrorCode);
    }

    [Fact]
    public async Task Producer_state_moves_with_leadership()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("idem-move", 1);
        int leader = cluster.LeaderOf("idem-move", 0);
        await using (KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, leader))
        {
            await ProduceAsync(client, "idem-move", 0, Batches.Build(["a"], 77, 0, 0));
        }
        await WaitForHighWatermarkAsync(cluster, "idem-move", 0, 1);
        await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(5));
        int next = (leader + 1) % 3;
        await cluster.MoveLeaderAsync("idem-move", 0, next);
        await using KafkaTestClient moved = await KafkaTestClient.ConnectAsync(cluster, next);
        var duplicate = await ProduceAsync(moved, "idem-move", 0, Batches.Build(["a"], 77, 0, 0));
        Assert.Equal(0, duplicate.BaseOffset);
        Assert.Single(cluster.ReadBatches("idem-move", 0));
    }
}
