namespace KafkaNative.Cli.Tests;

/// <summary>Bad input ends with exactly one clear line on stderr, a non-zero exit and no stack trace; help lists every verb.</summary>
public sealed class BadInputTests
{
    private static void AssertOneClearError(CliResult result, int exitCode, string expected)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        string line = Assert.Single(result.StderrLines);
        Assert.StartsWith("kafkanative: error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Theory]
    [InlineData("cluster --port 99999", "--port must be 0 to 65535")]
    [InlineData("cluster --partitions 0", "--partitions must be 1 to 10000")]
    [InlineData("cluster --brokers 0", "--brokers must be 1 to 64")]
    [InlineData("frobnicate", "unknown verb or argument 'frobnicate'")]
    [InlineData("produce -b 127.0.0.1:9092", "'--topic' is required")]
    [InlineData("consume -b 127.0.0.1:9092 -t t -o sideways", "-o: expected beginning, end, stored, N, -N or @TIMESTAMP_MS")]
    [InlineData("produce -b 127.0.0.1:9092 -t t -X no.such.setting=1", "-X no.such.setting: unknown setting")]
    [InlineData("produce -b 127.0.0.1:9092 -t t -z brotli", "brotli")]
    [InlineData("group reset-offsets -b 127.0.0.1:9092 -G g -t t", "exactly one of --to-earliest")]
    [InlineData("produce -b 127.0.0.1:9092 -t t --abort-every 2", "--abort-every needs --transactional-id")]
    [InlineData("produce -b 127.0.0.1:9092 -t t --transactional-id x --transaction-size -1", "--transaction-size must be 0 or more")]
    [InlineData("produce -b 127.0.0.1:9092 -t t --transactional-id x --acks 1", "EnableIdempotence cannot be off with a TransactionalId")]
    public async Task A_usage_error_exits_two_with_one_line(string arguments, string expected) =>
        AssertOneClearError(await CliRunner.RunAsync(arguments.Split(' ')), 2, expected);

    [Fact]
    public async Task An_unreachable_bootstrap_exits_one_with_one_line_within_the_connect_timeout()
    {
        CliResult result = await CliRunner.RunAsync(["metadata", "-b", "127.0.0.1:1", "-X", "socket.connection.setup.timeout.ms=1000"]);
        AssertOneClearError(result, 1, "127.0.0.1:1");
    }

    [Fact]
    public async Task The_real_process_reports_a_bad_port_in_one_line_without_a_stack_trace()
    {
        AssertOneClearError(await CliRunner.RunProcessAsync("cluster", "--port", "99999"), 2, "--port must be 0 to 65535, got 99999");
        AssertOneClearError(await CliRunner.RunProcessAsync("nosuchverb"), 2, "unknown verb or argument 'nosuchverb'");
    }

    [Fact]
    public async Task Help_lists_every_verb_and_storm_help_works()
    {
        CliResult help = await CliRunner.RunAsync(["--help"]);
        Assert.Equal(0, help.ExitCode);
        foreach (string verb in new[] { "produce", "consume", "metadata", "topic", "group", "transaction", "offsets", "cluster", "demo", "storm" })
            Assert.Matches($@"(?m)^\s+(\w+, )?{verb}\b", help.Stdout);

        CliResult storm = await CliRunner.RunAsync(["storm", "--help"]);
        Assert.True(storm.ExitCode == 0, storm.ToString());
        Assert.Contains("--scenario", storm.Stdout);
        Assert.Contains("--real", storm.Stdout);

        CliResult group = await CliRunner.RunAsync(["group", "--help"]);
        Assert.Contains("reset-offsets", group.Stdout);
    }
}
