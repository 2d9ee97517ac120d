using System.Text.Json;
using KafkaNative.Client;
using KafkaNative.Client.Tests.Fakes;

namespace KafkaNative.Cli.Tests;

/// <summary>transaction list and describe against an in-process simulated cluster, with transactions driven at the wire.</summary>
public sealed class TransactionVerbTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>, IAsyncLifetime
{
    private KafkaCluster _producers = null!;

    public Task InitializeAsync()
    {
        _producers = new KafkaCluster(new KafkaClientOptions { BootstrapServers = fixture.Bootstrap, ClientId = "cli-tests" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _producers.DisposeAsync();

    private Task<CliResult> RunAsync(string verb, string arguments) =>
        CliRunner.RunAsync([.. verb.Split(' '), "-b", fixture.Bootstrap, .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

    [Fact]
    public async Task List_filters_by_state_and_describe_shows_the_partitions_until_the_commit_completes()
    {
        Assert.Equal(0, (await RunAsync("topic create", "-t cli-txn --partitions 2 --replication-factor 2")).ExitCode);
        TransactionScript open = await TransactionScript.InitAsync(_producers, "cli-open");
        await open.AddPartitionsAsync("cli-txn", 1);
        TransactionScript idle = await TransactionScript.InitAsync(_producers, "cli-idle");

        CliResult ongoing = await RunAsync("transaction list", "--state ongoing");
        Assert.True(ongoing.ExitCode == 0, ongoing.ToString());
        Assert.Matches(@"^TRANSACTIONAL-ID\s+PRODUCER-ID\s+STATE$", ongoing.StdoutLines[0]);
        Assert.Matches($@"^cli-open\s+{open.ProducerId}\s+Ongoing$", Assert.Single(ongoing.StdoutLines[1..]));
        CliResult either = await RunAsync("transaction list", "--state ongoing --state Empty --producer-id " + idle.ProducerId);
        Assert.Matches($@"^cli-idle\s+{idle.ProducerId}\s+Empty$", Assert.Single(either.StdoutLines[1..]));

        CliResult json = await RunAsync("transaction list", "-J");
        using (JsonDocument listed = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(
                [("cli-idle", idle.ProducerId, "Empty"), ("cli-open", open.ProducerId, "Ongoing")],
                listed.RootElement.EnumerateArray().Select(t => (t.GetProperty("transactional_id").GetString(), t.GetProperty("producer_id").GetInt64(), t.GetProperty("state").GetString())));
        }

        CliResult described = await RunAsync("transaction describe", "cli-open cli-idle");
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Matches(@"^TRANSACTIONAL-ID\s+COORDINATOR\s+PRODUCER-ID\s+EPOCH\s+STATE\s+TIMEOUT-MS\s+START-TIME\s+DURATION-MS\s+PARTITIONS$", described.StdoutLines[0]);
        Assert.Matches($@"^cli-open\s+{open.CoordinatorId}\s+{open.ProducerId}\s+{open.Epoch}\s+Ongoing\s+60000\s+\d{{4}}-\d\d-\d\dT\S+Z\s+\d+\s+cli-txn-1$", described.StdoutLines[1]);
        Assert.Matches($@"^cli-idle\s+{idle.CoordinatorId}\s+{idle.ProducerId}\s+{idle.Epoch}\s+Empty\s+60000\s+-\s+-\s+-$", described.StdoutLines[2]);

        JsonElement openJson = await DescribeJsonAsync("cli-open");
        Assert.Equal("Ongoing", openJson.GetProperty("state").GetString());
        Assert.True(openJson.GetProperty("transaction_start_ms").GetInt64() > 0);
        JsonElement partition = Assert.Single(openJson.GetProperty("topic_partitions").EnumerateArray());
        Assert.Equal(("cli-txn", 1), (partition.GetProperty("topic").GetString(), partition.GetProperty("partition").GetInt32()));

        await open.EndAsync(commit: true);
        string? state = null;
        await Eventually.TrueAsync(async () => (state = (await DescribeJsonAsync("cli-open")).GetProperty("state").GetString()) == "CompleteCommit",
            () => $"cli-open to complete its commit (last seen {state})");
        Assert.Empty((await DescribeJsonAsync("cli-open")).GetProperty("topic_partitions").EnumerateArray());
        CliResult completed = await RunAsync("transaction list", "--state complete-commit");
        Assert.Matches(@"^cli-open\s+\d+\s+CompleteCommit$", Assert.Single(completed.StdoutLines[1..]));
    }

    [Fact]
    public async Task Describing_an_id_no_producer_initialised_is_one_error_line_naming_it()
    {
        CliResult missing = await RunAsync("transaction describe", "cli-no-such-id");
        Assert.Equal(1, missing.ExitCode);
        Assert.Empty(missing.Stdout);
        string error = Assert.Single(missing.StderrLines);
        Assert.StartsWith("kafkanative: error: DescribeTransactions cli-no-such-id: TRANSACTIONAL_ID_NOT_FOUND (105)", error);
    }

    [Fact]
    public async Task Bad_states_durations_and_missing_ids_are_usage_errors()
    {
        CliResult bogus = await RunAsync("transaction list", "--state bogus");
        Assert.Equal(2, bogus.ExitCode);
        Assert.Contains("--state: 'bogus' is not one of empty, ongoing, preparecommit", bogus.Stderr);
        Assert.Equal(2, (await RunAsync("transaction list", "--duration-filter -5")).ExitCode);
        Assert.Equal(2, (await RunAsync("transaction describe", "")).ExitCode);
    }

    private async Task<JsonElement> DescribeJsonAsync(string transactionalId)
    {
        CliResult result = await RunAsync("transaction describe", $"{transactionalId} -J");
        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument document = JsonDocument.Parse(result.Stdout);
        return Assert.Single(document.RootElement.EnumerateArray()).Clone();
    }
}
