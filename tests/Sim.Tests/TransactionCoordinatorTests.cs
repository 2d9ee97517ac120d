using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Records;
using KafkaNative.Sim.Log;
using KafkaNative.Sim.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static KafkaNative.Sim.Tests.ProduceFetchTests;
using static KafkaNative.Sim.Tests.Support.TransactionRequests;

namespace KafkaNative.Sim.Tests;

/// <summary>The transaction coordinator at the wire: its states, errors, markers, timeout, and a coordinator move.</summary>
public sealed class TransactionCoordinatorTests
{
    [Fact]
    public async Task Commit_writes_a_marker_that_moves_the_last_stable_offset_past_the_transaction()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn", 1);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, "commit-id");
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("txn", 0));
        TxnProducer producer = await InitUntilDoneAsync(coordinator, "commit-id");
        Assert.Equal(0, producer.Epoch);
        Assert.Equal((short)ErrorCode.InvalidTxnState, await EndAsync(coordinator, producer, commit: true));

        // A partition not yet added to the transaction refuses its batches.
        Assert.Equal((short)ErrorCode.InvalidTxnState, (await ProduceTxnAsync(leader, producer, "txn", 0, "early")).ErrorCode);
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, producer, "txn", 0));
        Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, producer, "txn", 0, "a", "b")).ErrorCode);
        await WaitForHighWatermarkAsync(cluster, "txn", 0, 2);
        FetchResponse.PartitionData open = await FetchCommittedAsync(leader, "txn");
        Assert.Equal(0, open.LastStableOffset);
        Assert.True(open.Records is not { Length: > 0 });
        Assert.Equal((0L, 2L), (await LatestAsync(leader, "txn", 1), await LatestAsync(leader, "txn", 0)));

        Assert.Equal((short)ErrorCode.None, await EndAsync(coordinator, producer, commit: true));
        await Eventually.TrueAsync(async () => (await FetchCommittedAsync(leader, "txn")).LastStableOffset == 3, "the commit marker to be written");
        Assert.Equal(ControlRecordType.Commit, MarkerAt(cluster, "txn", 2));
        Assert.Equal(3, await LatestAsync(leader, "txn", 1));
        Assert.Empty((await FetchCommittedAsync(leader, "txn")).AbortedTransactions!);
        // Repeating a completed commit succeeds; aborting it is the wrong state.
        Assert.Equal((short)ErrorCode.None, await EndAsync(coordinator, producer, commit: true));
        Assert.Equal((short)ErrorCode.InvalidTxnState, await EndAsync(coordinator, producer, commit: false));
    }

    [Fact]
    public async Task Markers_wait_for_a_dead_leader_meanwhile_the_id_answers_CONCURRENT_TRANSACTIONS()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn-dead", 1, replicationFactor: 1);
        int partitionLeader = cluster.LeaderOf("txn-dead", 0);
        string id = Enumerable.Range(0, 100).Select(i => $"dead-{i}").First(i => cluster.CoordinatorOf(i) != partitionLeader);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, id);
        TxnProducer producer = await InitUntilDoneAsync(coordinator, id);
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, producer, "txn-dead", 0));
        await using (KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, partitionLeader))
            Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, producer, "txn-dead", 0, "x")).ErrorCode);

        await cluster.KillBrokerAsync(partitionLeader);
        Assert.Equal((short)ErrorCode.None, await EndAsync(coordinator, producer, commit: true));
        Assert.Equal((short)ErrorCode.ConcurrentTransactions, await EndAsync(coordinator, producer, commit: true));
        Assert.Equal((short)ErrorCode.InvalidTxnState, await EndAsync(coordinator, producer, commit: false));
        Assert.Equal((short)ErrorCode.ConcurrentTransactions, await AddPartitionsAsync(coordinator, producer, "txn-dead", 0));
        Assert.Equal((short)ErrorCode.ConcurrentTransactions, (await InitAsync(coordinator, id)).ErrorCode);

        await cluster.StartBrokerAsync(partitionLeader);
        await Eventually.TrueAsync(async () => await EndAsync(coordinator, producer, commit: true) == (short)ErrorCode.None, "the commit to complete once the leader is back");
        Assert.Equal(ControlRecordType.Commit, MarkerAt(cluster, "txn-dead", 1));
    }

    [Fact]
    public async Task A_new_instance_aborts_the_open_transaction_and_fences_the_old_epoch()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn-fence", 1);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, "fence-id");
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("txn-fence", 0));
        TxnProducer old = await InitUntilDoneAsync(coordinator, "fence-id");
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, old, "txn-fence", 0));
        Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, old, "txn-fence", 0, "zombie")).ErrorCode);

        // The open transaction is aborted at epoch 1, then the retry gets epoch 2.
        Assert.Equal((short)ErrorCode.ConcurrentTransactions, (await InitAsync(coordinator, "fence-id")).ErrorCode);
        TxnProducer current = await InitUntilDoneAsync(coordinator, "fence-id");
        Assert.Equal(old.Id, current.Id);
        Assert.Equal(2, current.Epoch);
        Assert.Equal(ControlRecordType.Abort, MarkerAt(cluster, "txn-fence", 1));
        FetchResponse.PartitionData fetched = await FetchCommittedAsync(leader, "txn-fence");
        Assert.Equal(2, fetched.LastStableOffset);
        FetchResponse.AbortedTransaction aborted = Assert.Single(fetched.AbortedTransactions!);
        Assert.Equal((old.Id, 0L), (aborted.ProducerId, aborted.FirstOffset));

        Assert.Equal((short)ErrorCode.ProducerFenced, await EndAsync(coordinator, old, commit: true));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, await EndAsync(coordinator, old, commit: true, version: 1));
        Assert.Equal((short)ErrorCode.ProducerFenced, await AddPartitionsAsync(coordinator, old, "txn-fence", 0));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, (await ProduceTxnAsync(leader, old, "txn-fence", 1, "late")).ErrorCode);
    }

    [Fact]
    public async Task An_abandoned_transaction_is_aborted_after_its_timeout_and_its_producer_fenced()
    {
        var time = new FakeTimeProvider();
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(Clusters.Options() with { TimeProvider = time });
        await cluster.CreateTopicAsync("txn-timeout", 1);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, "timeout-id");
        await using KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("txn-timeout", 0));
        Assert.Equal((short)ErrorCode.InvalidTransactionTimeout, (await InitAsync(coordinator, "timeout-id", 900_001)).ErrorCode);
        TxnProducer producer = await InitUntilDoneAsync(coordinator, "timeout-id", timeoutMs: 1000);
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, producer, "txn-timeout", 0));
        Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, producer, "txn-timeout", 0, "abandoned")).ErrorCode);

        await time.AdvanceUntilAsync(() => MarkerAt(cluster, "txn-timeout", 1) == ControlRecordType.Abort, TimeSpan.FromMilliseconds(200), "the timed-out transaction to be aborted");
        Assert.Equal((short)ErrorCode.ProducerFenced, await EndAsync(coordinator, producer, commit: true));
    }

    [Fact]
    public async Task A_transaction_survives_its_coordinator_stopping_and_commits_on_the_new_one()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn-move", 1);
        const string id = "move-id";
        int first = cluster.CoordinatorOf(id);
        TxnProducer producer;
        await using (KafkaTestClient coordinator = await CoordinatorAsync(cluster, id))
        {
            producer = await InitUntilDoneAsync(coordinator, id);
            Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, producer, "txn-move", 0));
        }
        await using (KafkaTestClient other = await KafkaTestClient.ConnectAsync(cluster, (first + 1) % 3))
            Assert.Equal((short)ErrorCode.NotCoordinator, await EndAsync(other, producer, commit: true));
        await using (KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, cluster.LeaderOf("txn-move", 0)))
            Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, producer, "txn-move", 0, "moved")).ErrorCode);

        await cluster.StopBrokerAsync(first);
        Assert.NotEqual(first, cluster.CoordinatorOf(id));
        await using KafkaTestClient next = await CoordinatorAsync(cluster, id);
        Assert.Equal((short)ErrorCode.None, await EndAsync(next, producer, commit: true));
        await Eventually.TrueAsync(() => MarkerAt(cluster, "txn-move", 1) == ControlRecordType.Commit, "the new coordinator to write the commit marker");
    }

    [Fact]
    public async Task Describe_and_list_show_the_open_transaction_on_its_coordinator()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn-admin", 2);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, "admin-id");
        TxnProducer producer = await InitUntilDoneAsync(coordinator, "admin-id");
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, producer, "txn-admin", 1, 0));

        int here = cluster.CoordinatorOf("admin-id");
        string unseen = Enumerable.Range(0, 100).Select(i => $"never-seen-{i}").First(i => cluster.CoordinatorOf(i) == here);
        string elsewhere = Enumerable.Range(0, 100).Select(i => $"elsewhere-{i}").First(i => cluster.CoordinatorOf(i) != here);
        DescribeTransactionsResponse described = await coordinator.SendAsync<DescribeTransactionsRequest, DescribeTransactionsResponse>(
            new DescribeTransactionsRequest { TransactionalIds = ["admin-id", unseen, elsewhere] }, 0);
        DescribeTransactionsResponse.TransactionStateData open = described.TransactionStates[0];
        Assert.Equal(((short)ErrorCode.None, "Ongoing", producer.Id, producer.Epoch, TimeoutMs), (open.ErrorCode, open.TransactionState, open.ProducerId, open.ProducerEpoch, open.TransactionTimeoutMs));
        Assert.Equal([0, 1], Assert.Single(open.Topics).Partitions);
        Assert.True(open.TransactionStartTimeMs > 0);
        Assert.Equal((short)ErrorCode.TransactionalIdNotFound, described.TransactionStates[1].ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, described.TransactionStates[2].ErrorCode);

        ListTransactionsResponse listed = await coordinator.SendAsync<ListTransactionsRequest, ListTransactionsResponse>(
            new ListTransactionsRequest { StateFilters = ["Ongoing", "Bogus"] }, 1);
        Assert.Equal(["Bogus"], listed.UnknownStateFilters);
        ListTransactionsResponse.TransactionStateData item = Assert.Single(listed.TransactionStates);
        Assert.Equal(("admin-id", producer.Id), (item.TransactionalId, item.ProducerId));
        ListTransactionsResponse none = await coordinator.SendAsync<ListTransactionsRequest, ListTransactionsResponse>(
            new ListTransactionsRequest { StateFilters = ["CompleteCommit"] }, 1);
        Assert.Empty(none.TransactionStates);
    }

    [Fact]
    public async Task Offsets_sent_to_a_transaction_become_the_groups_only_when_it_commits()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn-offsets", 1);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, "offsets-id");
        await using KafkaTestClient groupCoordinator = await KafkaTestClient.ConnectAsync(cluster, cluster.CoordinatorOf("offsets-group"));
        TxnProducer producer = await InitUntilDoneAsync(coordinator, "offsets-id");

        async Task<short> SendOffsetsAsync(long offset)
        {
            AddOffsetsToTxnResponse added = await coordinator.SendAsync<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>(new AddOffsetsToTxnRequest
            {
                TransactionalId = producer.TransactionalId, ProducerId = producer.Id, ProducerEpoch = producer.Epoch, GroupId = "offsets-group",
            }, 3);
            Assert.Equal((short)ErrorCode.None, added.ErrorCode);
            TxnOffsetCommitResponse staged = await groupCoordinator.SendAsync<TxnOffsetCommitRequest, TxnOffsetCommitResponse>(new TxnOffsetCommitRequest
            {
                TransactionalId = producer.TransactionalId, GroupId = "offsets-group", ProducerId = producer.Id, ProducerEpoch = producer.Epoch,
                Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic
                {
                    Name = "txn-offsets",
                    Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset }],
                }],
            }, 3);
            return staged.Topics.Single().Partitions.Single().ErrorCode;
        }
        async Task<long> CommittedAsync() => (await groupCoordinator.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = "offsets-group",
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "txn-offsets", PartitionIndexes = [0] }],
        }, 7)).Topics.Single().Partitions.Single().CommittedOffset;

        Assert.Equal((short)ErrorCode.None, await SendOffsetsAsync(5));
        Assert.Equal(-1, await CommittedAsync());
        Assert.Equal((short)ErrorCode.None, await EndAsync(coordinator, producer, commit: false));
        await Eventually.TrueAsync(async () => await EndAsync(coordinator, producer, commit: false) == (short)ErrorCode.None, "the abort to complete");
        Assert.Equal(-1, await CommittedAsync());

        Assert.Equal((short)ErrorCode.None, await SendOffsetsAsync(7));
        Assert.Equal(-1, await CommittedAsync());
        Assert.Equal((short)ErrorCode.None, await EndAsync(coordinator, producer, commit: true));
        await Eventually.TrueAsync(async () => await CommittedAsync() == 7, "the committed offset to appear");
    }

    [Fact]
    public async Task A_leader_move_mid_transaction_keeps_it_open_on_the_new_leader_until_its_abort_marker()
    {
        await using SimulatedCluster cluster = await Clusters.StartAsync();
        await cluster.CreateTopicAsync("txn-lead", 1);
        await using KafkaTestClient coordinator = await CoordinatorAsync(cluster, "lead-id");
        TxnProducer producer = await InitUntilDoneAsync(coordinator, "lead-id");
        Assert.Equal((short)ErrorCode.None, await AddPartitionsAsync(coordinator, producer, "txn-lead", 0));
        int first = cluster.LeaderOf("txn-lead", 0);
        await using (KafkaTestClient leader = await KafkaTestClient.ConnectAsync(cluster, first))
            Assert.Equal((short)ErrorCode.None, (await ProduceTxnAsync(leader, producer, "txn-lead", 0, "a", "b")).ErrorCode);
        await cluster.WaitForFullIsrAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => cluster.HighWatermark("txn-lead", 0) == 2, "the batch to reach every replica");

        int next = (first + 1) % 3;
        await cluster.MoveLeaderAsync("txn-lead", 0, next);
        await using KafkaTestClient moved = await KafkaTestClient.ConnectAsync(cluster, next);
        Assert.Equal(0, (await FetchCommittedAsync(moved, "txn-lead")).LastStableOffset);

        Assert.Equal((short)ErrorCode.None, await EndAsync(coordinator, producer, commit: false));
        await Eventually.TrueAsync(async () => (await FetchCommittedAsync(moved, "txn-lead")).LastStableOffset == 3, "the abort marker on the new leader");
        FetchResponse.AbortedTransaction aborted = Assert.Single((await FetchCommittedAsync(moved, "txn-lead")).AbortedTransactions!);
        Assert.Equal((producer.Id, 0L), (aborted.ProducerId, aborted.FirstOffset));
    }
}
