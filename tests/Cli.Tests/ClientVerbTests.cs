using System.Text.Json;
using System.Text.RegularExpressions;

namespace KafkaNative.Cli.Tests;

/// <summary>produce, consume, metadata and group reset-offsets against an in-process simulated cluster.</summary>
public sealed partial class ClientVerbTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private Task<CliResult> RunAsync(string verb, string arguments, string? stdin = null) =>
        RunAsync(verb, arguments, System.Text.Encoding.UTF8.GetBytes(stdin ?? ""));

    private Task<CliResult> RunAsync(string verb, string arguments, byte[] stdin) =>
        CliRunner.RunAsync([.. verb.Split(' '), "-b", fixture.Bootstrap, .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)], stdin);

    private async Task CreateTopicAsync(string topic, int partitions) =>
        Assert.Equal(0, (await RunAsync("topic create", $"-t {topic} --partitions {partitions} --replication-factor 2")).ExitCode);

    [Fact]
    public async Task Produce_from_stdin_then_consume_to_the_end_round_trips_keys_values_and_headers()
    {
        await CreateTopicAsync("round-trip", 3);
        CliResult produced = await RunAsync("produce", "-t round-trip -K : -H source=cli -H run=1 -z gzip", "k1:first\nk2:second\n\nk3:third with: colon\n");
        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Contains("produced 3 records", produced.Stderr);

        CliResult consumed = await RunAsync("consume", @"-t round-trip -o beginning -e -f %k|%s|%h\n");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        Assert.Equal(
            ["k1|first|source=cli,run=1", "k2|second|source=cli,run=1", "k3|third with: colon|source=cli,run=1"],
            consumed.StdoutLines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Json_output_is_one_parseable_object_per_record_with_base64_for_bytes_that_are_not_utf8()
    {
        await CreateTopicAsync("json-out", 1);
        byte[] lines = [.. "key=value\n"u8, 0xff, 0xfe, (byte)'=', 0xc3, 0x28, (byte)'\n'];
        Assert.Equal(0, (await RunAsync("produce", "-t json-out -K = -H h=v", lines)).ExitCode);

        CliResult consumed = await RunAsync("consume", "-t json-out -o beginning -e -J");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        JsonElement[] records = consumed.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(2, records.Length);
        Assert.Equal("json-out", records[0].GetProperty("topic").GetString());
        Assert.Equal(0, records[0].GetProperty("partition").GetInt32());
        Assert.Equal(0, records[0].GetProperty("offset").GetInt64());
        Assert.True(records[0].GetProperty("timestamp").GetInt64() > 0);
        Assert.Equal("key", records[0].GetProperty("key").GetString());
        Assert.Equal("value", records[0].GetProperty("value").GetString());
        Assert.Equal("h", records[0].GetProperty("headers")[0].GetProperty("key").GetString());
        Assert.Equal("v", records[0].GetProperty("headers")[0].GetProperty("value").GetString());
        Assert.Equal("base64", records[1].GetProperty("value_encoding").GetString());
        Assert.Equal(new byte[] { 0xc3, 0x28 }, records[1].GetProperty("value").GetBytesFromBase64());
        Assert.Equal(new byte[] { 0xff, 0xfe }, records[1].GetProperty("key").GetBytesFromBase64());
    }

    [SkippableFact]
    public async Task Metadata_lists_the_brokers_topics_partition_counts_and_leaders_kcat_lists()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed");
        await CreateTopicAsync("meta-a", 4);
        await CreateTopicAsync("meta-b", 1);
        CliResult ours = await RunAsync("metadata", "");
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Kcat.Result theirs = await Kcat.RunAsync($"-b {fixture.Bootstrap} -L", CliRunner.NoHang);
        Assert.True(theirs.ExitCode == 0, theirs.Stderr);

        Assert.Equal(Summary(theirs.Stdout), Summary(ours.Stdout));
        Assert.Contains("topic \"meta-a\" with 4 partitions:", ours.Stdout);
        Assert.Contains("broker 0 at ", ours.Stdout);

        CliResult json = await RunAsync("list", "-J");
        using JsonDocument document = JsonDocument.Parse(json.Stdout);
        Assert.Equal(3, document.RootElement.GetProperty("brokers").GetArrayLength());
    }

    [Fact]
    public async Task Reset_offsets_to_earliest_with_execute_makes_the_group_read_from_the_start_again()
    {
        await CreateTopicAsync("reset-me", 2);
        Assert.Equal(0, (await RunAsync("produce", "-t reset-me", "a\nb\nc\nd\n")).ExitCode);

        CliResult first = await RunAsync("consume", "-t reset-me -G resetters -o beginning -e");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(4, first.StdoutLines.Length);
        Assert.Empty((await RunAsync("consume", "-t reset-me -G resetters -e")).StdoutLines);

        CliResult dryRun = await RunAsync("group reset-offsets", "-G resetters -t reset-me --to-earliest");
        Assert.Contains("dry run", dryRun.Stderr);
        Assert.Empty((await RunAsync("consume", "-t reset-me -G resetters -e")).StdoutLines);

        CliResult reset = await RunAsync("group reset-offsets", "-G resetters -t reset-me --to-earliest --execute");
        Assert.True(reset.ExitCode == 0, reset.ToString());
        Assert.Equal(["resetters  reset-me  0          0", "resetters  reset-me  1          0"], reset.StdoutLines[1..]);
        CliResult again = await RunAsync("consume", "-t reset-me -G resetters -e");
        Assert.Equal(["a", "b", "c", "d"], again.StdoutLines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Consume_starts_n_records_before_the_end_or_at_a_timestamp()
    {
        await CreateTopicAsync("starts", 1);
        Assert.Equal(0, (await RunAsync("produce", "-t starts -p 0", "one\ntwo\nthree\n")).ExitCode);

        Assert.Equal(["two", "three"], (await RunAsync("consume", "-t starts -o -2 -e")).StdoutLines);
        Assert.Equal(["0:one", "1:two", "2:three"], (await RunAsync("consume", @"-t starts -o @0 -e -f %o:%s\n")).StdoutLines);
        long future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        Assert.Empty((await RunAsync("consume", $"-t starts -o @{future} -e")).StdoutLines);
        Assert.Equal(["three"], (await RunAsync("consume", "-t starts -o 2 -e")).StdoutLines);
        Assert.Equal(["one"], (await RunAsync("consume", "-t starts -o beginning -c 1")).StdoutLines);
    }

    [Fact]
    public async Task Acl_create_then_list_with_a_filter_then_delete_round_trips_bindings()
    {
        Assert.Equal(0, (await RunAsync("acl create", "--resource-type topic --resource-name cli-acl-orders --principal User:alice --operation read")).ExitCode);
        Assert.Equal(0, (await RunAsync("acl create", "--resource-type transactional-id --resource-name cli-acl- --pattern-type prefixed --principal User:bob --operation write --permission deny")).ExitCode);

        CliResult alice = await RunAsync("acl list", "--principal User:alice");
        Assert.True(alice.ExitCode == 0, alice.ToString());
        Assert.Equal(2, alice.StdoutLines.Length);
        Assert.Matches(@"^Topic\s+cli-acl-orders\s+Literal\s+User:alice\s+\*\s+Read\s+Allow$", alice.StdoutLines[1]);

        CliResult deleted = await RunAsync("acl delete", "--resource-type transactional-id");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("deleted 1 binding", deleted.Stderr);
        Assert.DoesNotContain((await RunAsync("acl list", "")).StdoutLines, line => line.Contains("User:bob"));

        CliResult everything = await RunAsync("acl delete", "");
        Assert.Equal(2, everything.ExitCode);
        CliResult badOperation = await RunAsync("acl create", "--resource-type topic --resource-name t --principal User:x --operation fly");
        Assert.Equal(2, badOperation.ExitCode);
        Assert.Contains("--operation: 'fly' is not one of", badOperation.Stderr);
    }

    [Fact]
    public async Task Broker_errors_are_one_line_and_exit_one()
    {
        await CreateTopicAsync("twice", 1);
        CliResult again = await RunAsync("topic create", "-t twice");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("kafkanative: error: CreateTopics twice: TOPIC_ALREADY_EXISTS (36): Topic 'twice' already exists.", Assert.Single(again.StderrLines));

        CliResult noPartition = await RunAsync("produce", "-t twice -p 5", "lost\n");
        Assert.Equal(1, noPartition.ExitCode);
        Assert.Contains("partition 5 does not exist: topic twice has 1 partitions", Assert.Single(noPartition.StderrLines));

        CliResult missing = await RunAsync("group delete", "-G nobody-here");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("GROUP_ID_NOT_FOUND", Assert.Single(missing.StderrLines));
    }

    /// <summary>Brokers, topics with their partition counts, and each partition's leader, as kcat -L lays them out, in a stable order.</summary>
    private static string[] Summary(string listing)
    {
        var facts = new List<string>();
        string topicName = "";
        foreach (string line in listing.Split('\n'))
        {
            if (BrokerLine().Match(line) is { Success: true } broker) facts.Add($"broker {broker.Groups[1].Value} at {broker.Groups[2].Value}");
            if (TopicLine().Match(line) is { Success: true } topic)
            {
                topicName = topic.Groups[1].Value;
                facts.Add($"topic {topicName} with {topic.Groups[2].Value} partitions");
            }
            if (PartitionLine().Match(line) is { Success: true } partition) facts.Add($"{topicName}/{partition.Groups[1].Value} leader {partition.Groups[2].Value}");
        }
        return facts.Order(StringComparer.Ordinal).ToArray();
    }

    [GeneratedRegex(@"^\s+broker (\d+) at (\S+)")]
    private static partial Regex BrokerLine();

    [GeneratedRegex(@"^\s+topic ""(.+)"" with (\d+) partitions")]
    private static partial Regex TopicLine();

    [GeneratedRegex(@"^\s+partition (\d+), leader (-?\d+)")]
    private static partial Regex PartitionLine();
}
