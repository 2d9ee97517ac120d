using KafkaNative.Admin;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using ClusterOptions = KafkaNative.Sim.ClusterOptions;
using SimulatedCluster = KafkaNative.Sim.SimulatedCluster;

namespace KafkaNative.Client.Tests;

/// <summary>The admin client's ListTransactions and DescribeTransactions against the in-process simulated cluster, with transactions driven at the wire.</summary>
public sealed class AdminTransactionsTests : IAsyncLifetime
{
    private SimulatedCluster _sim = null!;
    private KafkaCluster _producers = null!;
    private KafkaAdminClient _admin = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
        await _sim.CreateTopicAsync("payments", 3, 2);
        _producers = new KafkaCluster(TestOptions.For(_sim.BootstrapServers));
        _admin = new KafkaAdminClient(TestOptions.For(_sim.BootstrapServers));
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _producers.DisposeAsync();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task An_open_transaction_is_listed_by_state_and_described_until_its_commit_completes()
    {
        TransactionScript open = await TransactionScript.InitAsync(_producers, "pay-open");
        await open.AddPartitionsAsync("payments", 2, 0);
        TransactionScript idle = await TransactionScript.InitAsync(_producers, "pay-idle");

        IReadOnlyList<TransactionListing> all = await _admin.ListTransactionsAsync();
        Assert.Equal(
            [new TransactionListing("pay-idle", idle.ProducerId, TransactionState.Empty), new TransactionListing("pay-open", open.ProducerId, TransactionState.Ongoing)],
            all);
        Assert.Equal(["pay-open"], (await ListAsync(new() { States = [TransactionState.Ongoing] })).Select(l => l.TransactionalId));
        Assert.Equal(["pay-idle"], (await ListAsync(new() { States = [TransactionState.Empty, TransactionState.PrepareEpochFence] })).Select(l => l.TransactionalId));
        Assert.Equal(["pay-idle"], (await ListAsync(new() { ProducerIds = [idle.ProducerId] })).Select(l => l.TransactionalId));
        Assert.Empty(await ListAsync(new() { RunningLongerThan = TimeSpan.FromHours(1) }));

        DateTimeOffset before = DateTimeOffset.UtcNow;
        IReadOnlyList<TransactionDescription> described = await _admin.DescribeTransactionsAsync(["pay-open", "pay-idle", "pay-open"]);
        Assert.Equal(["pay-open", "pay-idle"], described.Select(d => d.TransactionalId));
        TransactionDescription ongoing = described[0];
        Assert.Equal((open.CoordinatorId, TransactionState.Ongoing, open.ProducerId, open.Epoch, TimeSpan.FromMinutes(1)),
            (ongoing.CoordinatorId, ongoing.State, ongoing.ProducerId, ongoing.ProducerEpoch, ongoing.TransactionTimeout));
        Assert.Equal([new TopicPartition("payments", 0), new TopicPartition("payments", 2)], ongoing.TopicPartitions);
        Assert.NotNull(ongoing.TransactionStart);
        Assert.InRange(ongoing.TransactionStart.Value, before.AddMinutes(-1), before.AddSeconds(1));
        Assert.Equal((TransactionState.Empty, (DateTimeOffset?)null), (described[1].State, described[1].TransactionStart));
        Assert.Empty(described[1].TopicPartitions);

        await open.EndAsync(commit: true);
        TransactionDescription? committed = null;
        await Eventually.TrueAsync(async () => (committed = (await _admin.DescribeTransactionsAsync(["pay-open"])).Single()).State == TransactionState.CompleteCommit,
            () => $"pay-open to complete its commit (last seen {committed?.State})");
        Assert.Empty(committed!.TopicPartitions);
        // Kafka keeps the completed transaction's start time.
        Assert.NotNull(committed.TransactionStart);
        Assert.InRange(committed.TransactionStart.Value, ongoing.TransactionStart.Value.AddSeconds(-1), ongoing.TransactionStart.Value.AddSeconds(1));
        Assert.Equal(["pay-open"], (await ListAsync(new() { States = [TransactionState.CompleteCommit] })).Select(l => l.TransactionalId));
        Assert.Empty(await ListAsync(new() { States = [TransactionState.Ongoing] }));
    }

    [Fact]
    public async Task Ids_of_one_coordinator_are_described_in_one_request()
    {
        string[] ids = Enumerable.Range(0, 100).Select(i => $"batch-{i}").ToArray();
        string first = ids[0];
        string sameCoordinator = ids.Skip(1).First(id => _sim.CoordinatorOf(id) == _sim.CoordinatorOf(first));
        string otherCoordinator = ids.First(id => _sim.CoordinatorOf(id) != _sim.CoordinatorOf(first));
        foreach (string id in new[] { first, sameCoordinator, otherCoordinator }) await TransactionScript.InitAsync(_producers, id);

        IReadOnlyList<TransactionDescription> described = await _admin.DescribeTransactionsAsync([first, otherCoordinator, sameCoordinator]);
        Assert.Equal([first, otherCoordinator, sameCoordinator], described.Select(d => d.TransactionalId));
        Assert.All(described, d => Assert.Equal(_sim.CoordinatorOf(d.TransactionalId), d.CoordinatorId));
        Assert.Equal(1, _sim.RequestCount(_sim.CoordinatorOf(first), ApiKey.DescribeTransactions));
        Assert.Equal(1, _sim.RequestCount(_sim.CoordinatorOf(otherCoordinator), ApiKey.DescribeTransactions));
    }

    [Fact]
    public async Task An_id_no_producer_initialised_fails_with_transactional_id_not_found_naming_it()
    {
        await TransactionScript.InitAsync(_producers, "known-id");

        var missing = await Assert.ThrowsAsync<KafkaErrorException>(() => _admin.DescribeTransactionsAsync(["known-id", "nobody-has-this-id"]));
        Assert.Equal(ErrorCode.TransactionalIdNotFound, missing.ErrorCode);
        Assert.StartsWith("DescribeTransactions nobody-has-this-id: TRANSACTIONAL_ID_NOT_FOUND", missing.Message);
        Assert.DoesNotContain("known-id", missing.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => _admin.DescribeTransactionsAsync([""]));
    }

    [Theory]
    [InlineData(ErrorCode.NotCoordinator)]
    [InlineData(ErrorCode.CoordinatorLoadInProgress)]
    [InlineData(ErrorCode.CoordinatorNotAvailable)]
    public async Task Describe_retries_a_coordinator_that_moved_or_is_loading(ErrorCode error)
    {
        TransactionScript txn = await TransactionScript.InitAsync(_producers, "retried-id");
        _sim.InjectError(ApiKey.DescribeTransactions, error, 1.0, txn.CoordinatorId);

        Task<IReadOnlyList<TransactionDescription>> describing = _admin.DescribeTransactionsAsync(["retried-id"]);
        await Eventually.TrueAsync(() => _sim.RequestCount(txn.CoordinatorId, ApiKey.DescribeTransactions) >= 2, $"DescribeTransactions to be retried after {error}");
        Assert.False(describing.IsCompleted);
        _sim.ClearInjectedErrors();

        TransactionDescription described = Assert.Single(await describing);
        Assert.Equal((TransactionState.Empty, txn.ProducerId), (described.State, described.ProducerId));
    }

    [Fact]
    public async Task List_retries_a_loading_coordinator_but_fails_as_a_whole_when_a_broker_fails()
    {
        await TransactionScript.InitAsync(_producers, "listed-id");
        _sim.InjectError(ApiKey.ListTransactions, ErrorCode.CoordinatorLoadInProgress, 1.0, brokerId: 1);
        Task<IReadOnlyList<TransactionListing>> listing = _admin.ListTransactionsAsync();
        await Eventually.TrueAsync(() => _sim.RequestCount(1, ApiKey.ListTransactions) >= 2, "ListTransactions to be retried on broker 1");
        _sim.ClearInjectedErrors();
        Assert.Equal(["listed-id"], (await listing).Select(l => l.TransactionalId));

        _sim.InjectError(ApiKey.ListTransactions, ErrorCode.CoordinatorNotAvailable, 1.0, brokerId: 2);
        var failed = await Assert.ThrowsAsync<KafkaErrorException>(() => _admin.ListTransactionsAsync());
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, failed.ErrorCode);
        Assert.StartsWith("ListTransactions on broker 2:", failed.Message);
    }

    [Fact]
    public async Task A_retriable_error_that_outlasts_the_request_timeout_fails_the_call()
    {
        await using var admin = new KafkaAdminClient(TestOptions.For(_sim.BootstrapServers, o => o.RequestTimeout = TimeSpan.FromSeconds(1)));
        TransactionScript txn = await TransactionScript.InitAsync(_producers, "stuck-id");
        _sim.InjectError(ApiKey.DescribeTransactions, ErrorCode.CoordinatorLoadInProgress, 1.0, txn.CoordinatorId);

        var stuck = await Assert.ThrowsAsync<KafkaErrorException>(() => admin.DescribeTransactionsAsync(["stuck-id"]));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, stuck.ErrorCode);
        Assert.Contains("stuck-id", stuck.Message);
        Assert.True(_sim.RequestCount(txn.CoordinatorId, ApiKey.DescribeTransactions) >= 2);
    }

    [Fact]
    public async Task Filtering_on_the_unknown_state_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ListAsync(new() { States = [TransactionState.Unknown] }));
        await Assert.ThrowsAsync<ArgumentException>(() => ListAsync(new() { RunningLongerThan = TimeSpan.FromSeconds(-1) }));
    }

    private Task<IReadOnlyList<TransactionListing>> ListAsync(ListTransactionsOptions options) => _admin.ListTransactionsAsync(options);
}

/// <summary>Transaction states read as Kafka spells them on the wire.</summary>
public sealed class TransactionStateNamesTests
{
    [Theory]
    [InlineData("Ongoing", TransactionState.Ongoing)]
    [InlineData("PrepareEpochFence", TransactionState.PrepareEpochFence)]
    [InlineData("CompleteAbort", TransactionState.CompleteAbort)]
    [InlineData("Dead", TransactionState.Dead)]
    [InlineData("ongoing", TransactionState.Unknown)]
    [InlineData("Unknown", TransactionState.Unknown)]
    [InlineData("2", TransactionState.Unknown)]
    [InlineData("", TransactionState.Unknown)]
    public void Names_are_kafkas_and_anything_else_is_unknown(string name, TransactionState state) =>
        Assert.Equal(state, TransactionStates.Parse(name));
}
