using System.Text;
using System.Threading.Channels;

namespace KafkaNative.Cli.Tests;

/// <summary>
/// produce --transactional-id against an in-process simulated cluster: the input grouped into transactions,
/// judged by a read_committed consume (exactly the committed records) and a read_uncommitted one (all of them).
/// </summary>
public sealed class TransactionalProduceTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private Task<CliResult> RunAsync(string verb, string arguments, string stdin = "") =>
        CliRunner.RunAsync([.. verb.Split(' '), "-b", fixture.Bootstrap, .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)], stdin);

    private async Task<string[]> ReadAsync(string topic, string isolation)
    {
        CliResult consumed = await RunAsync("consume", $"-t {topic} -o beginning -e -X isolation.level={isolation}");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        return consumed.StdoutLines.Order(StringComparer.Ordinal).ToArray();
    }

    private static string Lines(IEnumerable<string> lines) => string.Concat(lines.Select(line => line + "\n"));

    [Fact]
    public async Task Records_go_in_transactions_of_the_size_given_and_read_committed_sees_only_the_committed_ones()
    {
        await fixture.Cluster.CreateTopicAsync("txn-groups", 3);
        string[] records = Enumerable.Range(0, 23).Select(i => $"record-{i:D2}").ToArray();

        // Transactions of 5: 1 committed, 2 aborted, 3 committed, 4 aborted, 5 (the last 3 records) committed.
        CliResult produced = await RunAsync("produce", "-t txn-groups --transactional-id cli-txn-groups --transaction-size 5 --abort-every 2", Lines(records));
        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Contains("produced 23 records to txn-groups in 5 transactions (3 committed with 13 records, 2 aborted with 10 records)", produced.Stderr);

        string[] committed = records.Where((_, i) => i / 5 % 2 == 0).ToArray();
        Assert.Equal(committed, await ReadAsync("txn-groups", "read_committed"));
        Assert.Equal(records, await ReadAsync("txn-groups", "read_uncommitted"));
    }

    [Fact]
    public async Task Without_a_size_the_whole_input_is_one_transaction()
    {
        await fixture.Cluster.CreateTopicAsync("txn-whole", 2);
        CliResult produced = await RunAsync("produce", "-t txn-whole -K : --transactional-id cli-txn-whole", "a:1\nb:2\n\nc:3\n");
        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Contains("produced 3 records to txn-whole in 1 transaction (1 committed with 3 records, 0 aborted with 0 records)", produced.Stderr);
        Assert.Equal(["1", "2", "3"], await ReadAsync("txn-whole", "read_committed"));

        CliResult aborted = await RunAsync("produce", "-t txn-whole --transactional-id cli-txn-whole --abort-every 1", "never\nseen\n");
        Assert.True(aborted.ExitCode == 0, aborted.ToString());
        Assert.Contains("in 1 transaction (0 committed with 0 records, 1 aborted with 2 records)", aborted.Stderr);
        Assert.Equal(["1", "2", "3"], await ReadAsync("txn-whole", "read_committed"));
    }

    [Fact]
    public async Task Consume_to_the_end_stops_after_a_trailing_transaction_marker()
    {
        await fixture.Cluster.CreateTopicAsync("txn-marker-last", 1);
        Assert.Equal(0, (await RunAsync("produce", "-t txn-marker-last --transactional-id cli-txn-marker-last", "a\nb\n")).ExitCode);
        // Offsets 0 and 1 hold the records, 2 the commit marker: the end is 3.
        Assert.Equal(3, fixture.Cluster.HighWatermark("txn-marker-last", 0));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        CliResult consumed = await RunAsync("consume", "-t txn-marker-last -o beginning -e -X isolation.level=read_committed");
        Assert.Equal(["a", "b"], consumed.StdoutLines);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"consume -e took {clock.Elapsed} (ended only by the test's deadline)");
    }

    [Fact]
    public async Task Fenced_by_a_newer_producer_mid_run_it_exits_one_with_one_line_and_only_its_committed_records_are_visible()
    {
        await fixture.Cluster.CreateTopicAsync("txn-fenced", 1);
        var stdin = new FedInput();
        string[] args = ["produce", "-b", fixture.Bootstrap, "-t", "txn-fenced", "--transactional-id", "cli-txn-fenced", "--transaction-size", "5"];
        // Off xUnit's synchronization context, whose few threads the test's own awaits share.
        Task<CliResult> run = Task.Run(() => CliRunner.RunAsync(args, stdin));

        string[] first = Enumerable.Range(0, 10).Select(i => $"first-{i}").ToArray();
        stdin.Feed(Lines(first));
        // Two transactions of 5 commit as their last records are read: 5 records and a commit marker each.
        // Watched in the Sim's log, so no reader runs beside the produce.
        using var patience = new CancellationTokenSource(CliRunner.NoHang);
        while (fixture.Cluster.HighWatermark("txn-fenced", 0) < 12) await Task.Delay(50, patience.Token);

        // A newer instance with the same transactional id fences the CLI's producer.
        await using (var successor = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = fixture.Bootstrap, TransactionalId = "cli-txn-fenced" }))
            await successor.InitTransactionsAsync();
        stdin.Feed(Lines(Enumerable.Range(0, 5).Select(i => $"zombie-{i}")));
        stdin.Complete();

        CliResult result = await run;
        Assert.True(result.ExitCode == 1, result.ToString());
        string line = Assert.Single(result.StderrLines);
        Assert.StartsWith("kafkanative: error: transaction 3 failed", line);
        Assert.Contains("2 transactions (2 committed with 10 records", line);
        Assert.Contains("PRODUCER_FENCED", line);
        Assert.Equal(first, await ReadAsync("txn-fenced", "read_committed"));
    }
}

/// <summary>Standard input the test feeds while the CLI runs: each <see cref="Feed"/> is read once it is given, then end of input.</summary>
internal sealed class FedInput : Stream
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private byte[] _current = [];
    private int _read;

    public void Feed(string text) => _chunks.Writer.TryWrite(Encoding.UTF8.GetBytes(text));

    public void Complete() => _chunks.Writer.Complete();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_read == _current.Length)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) return 0;
            _current = await _chunks.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _read = 0;
        }
        int count = Math.Min(buffer.Length, _current.Length - _read);
        _current.AsMemory(_read, count).CopyTo(buffer);
        _read += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
