using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim.Tests.Support;
using static KafkaNative.Sim.Tests.ProduceFetchTests;
using static KafkaNative.Sim.Tests.Support.TransactionRequests;

namespace KafkaNative.Sim.Tests;

/// <summary>
/// Transactions V2 (KIP-890) as Kafka 4.0 runs it: the <c>transaction.version</c> feature, EndTxn v5's epoch bump
/// and its retry; and the last stable offset, which passes a transaction only once its marker is replicated.
/// </summary>
public sealed class TransactionVersionTests
{
    [Theory]
    [InlineData(2, 5)]
    [InlineData(1, 4)]
    [InlineData(0, 4)]
    public async Task ApiVersions_announce_the_transaction_version_and_offer_EndTxn_v5_only_at_level_2(short level, short endTxnMax)
    {
        ClusterOptions options = Clusters.Options();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions
        {
            Brokers = options.Brokers, BasePort = options.BasePort, BrokerSessionTimeout = options.BrokerSessionTimeout, TransactionVersion = level,
        });
        await using KafkaTestClient client = await KafkaTestClient.ConnectAsync(cluster, 0);
        ApiVersionsResponse response = await client.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "test", ClientSoftwareVersion = "1" }, 3);

        Assert.Equal(endTxnMax, response.ApiKeys.Single(a => a.ApiKey == (short)ApiKey.EndTxn).MaxVersion);
        Assert.Equal(0, response.FinalizedFeaturesEpoch);
        Assert.Equal(level > 0 ? [("transaction.version", level)] : [], response.FinalizedFeatures.Select(f => (f.Name, f.MaxVersionLevel)));
        // v3 leaves out supported features whose minimum is 0, as Kafka's does.
        Assert.Empty(response.SupportedFeatures);
    }

    [Fact]
    public async Task Under_V2_an_end_bumps_the_epoch_its_markers_carry_it_and_a_retry_with_the_old_epoch_is_recognised()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn", 1);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, "v2-id");
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("txn", 0));
        TxnProducer first = await InitUntilDoneAsync(coordinator, "v2-id");
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, first, "txn", 0));
        Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, first, "txn", 0, "a", "b")).ErrorCode);

        EndTxnResponse end = await EndV5Async(coordinator, first, commit: true);
        Assert.Equal(((short)ErrorCode.None, first.Id, (short)(first.Epoch + 1)), (end.ErrorCode, end.ProducerId, end.ProducerEpoch));
        // The answer was lost, say: the retry comes with the epoch before the bump, and gets the same answer.
        EndTxnResponse retry = await EndV5Async(coordinator, first, commit: true);
        Assert.True(retry.ErrorCode is (short)ErrorCode.None or (short)ErrorCode.ConcurrentTransactions, $"retry answered {retry.ErrorCode}");
        await Eventually.TrueAsync(() => MarkerAt(cluster, "txn", 2) == ControlRecordType.Commit, "the commit marker");
        Assert.Equal(first.Epoch + 1, MarkerHeader(cluster, "txn", 2).ProducerEpoch);
        // The marker is in the leader's log before the in-sync replicas have it; until then the retry hears CONCURRENT_TRANSACTIONS.
        EndTxnResponse? again = null;
        await Eventually.TrueAsync(async () => (again = await EndV5Async(coordinator, first, commit: true)).ErrorCode != (short)ErrorCode.ConcurrentTransactions, "the commit to complete");
        Assert.Equal(((short)ErrorCode.None, (short)(first.Epoch + 1)), (again!.ErrorCode, again.ProducerEpoch));

        // The old epoch can no longer write; the new one starts its sequence over in the next transaction.
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, (await ProduceTxnAsync(leader, first, "txn", 2, "late")).ErrorCode);
        TxnProducer second = first with { Epoch = end.ProducerEpoch };
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, second, "txn", 0));
        Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, second, "txn", 0, "c")).ErrorCode);
        // An old-epoch "retry" must not end the transaction the new epoch opened.
        Assert.Equal((short)ErrorCode.ProducerFenced, (await EndV5Async(coordinator, first, commit: false)).ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await EndV5Async(coordinator, second, commit: true)).ErrorCode);
    }

    [Fact]
    public async Task The_last_stable_offset_passes_a_commit_only_once_its_marker_is_replicated()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn", 1, replicationFactor: 2);
        int leaderId = cluster.LeaderOf("txn", 0);
        // An id coordinated by the leader, so the brokers killed below take neither.
        string id = Enumerable.Range(0, 200).Select(i => $"lso-{i}").First(i => cluster.CoordinatorOf(i) == leaderId);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, id);
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, leaderId);
        TxnProducer producer = await InitUntilDoneAsync(coordinator, id);
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, producer, "txn", 0));
        Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, producer, "txn", 0, "a", "b")).ErrorCode);
        await WaitForHighWatermarkAsync(cluster, "txn", 0, 2);

        foreach (int other in cluster.BrokerIds.Where(b => b != leaderId)) await cluster.KillBrokerAsync(other);
        Assert.Equal((short)ErrorCode.None, await EndAsync(coordinator, producer, commit: true));
        await Eventually.TrueAsync(() => MarkerAt(cluster, "txn", 2) == ControlRecordType.Commit, "the marker on the leader");
        // The follower is gone, so the marker waits below the high watermark until the ISR shrinks to the leader.
        FetchResponse.PartitionData waiting = await FetchCommittedAsync(leader, "txn");
        Assert.Equal(2, waiting.HighWatermark);
        Assert.Equal(0, waiting.LastStableOffset);
        Assert.True(waiting.Records is not { Length: > 0 }, "read_committed got records whose commit marker is not replicated");
        FetchResponse.PartitionData? last = null;
        // (Markers unanswered for a second are sent again, so more may follow the first.)
        await Eventually.TrueAsync(async () => (last = await FetchCommittedAsync(leader, "txn")) is { LastStableOffset: >= 3 } data && data.LastStableOffset == data.HighWatermark,
            () => $"the ISR to shrink and the marker to count (high watermark {last?.HighWatermark}, last stable offset {last?.LastStableOffset}, error {last?.ErrorCode})", TimeSpan.FromSeconds(20));
    }

    private static Task<EndTxnResponse> EndV5Async(KafkaTestClient coordinator, TxnProducer producer, bool commit) =>
        coordinator.SendAsync<EndTxnRequest, EndTxnResponse>(new EndTxnRequest
        {
            TransactionalId = producer.TransactionalId,
            ProducerId = producer.Id,
            ProducerEpoch = producer.Epoch,
            Committed = commit,
        }, 5);

    private static RecordBatchHeader MarkerHeader(SimulatedCluster cluster, string topic, long offset)
    {
        using var reader = new RecordBatchReader();
        foreach (ReadOnlyMemory<byte> stored in cluster.ReadBatches(topic, 0))
            foreach (RecordBatch batch in reader.Read(stored))
                if (batch.Header.BaseOffset == offset) return batch.Header;
        throw new InvalidOperationException($"No batch at offset {offset}.");
    }
}
