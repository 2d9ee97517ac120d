using System.CommandLine;
using System.Diagnostics;
using System.Text;
using KafkaNative.Cli.Records;

namespace KafkaNative.Cli.Verbs;

/// <summary>
/// <c>produce</c>: one record per input line (stdin or <c>--file</c>), as kcat -P. Empty lines are skipped;
/// with <c>-K DELIM</c> a line's text before the first DELIM is the key. Lines are sent as their raw bytes.
/// A one-line summary goes to stderr; the exit code is 1 when any record failed. With <c>--transactional-id</c>
/// the records go in transactions (<see cref="ProduceTransactions"/>).
/// </summary>
internal static class ProduceVerb
{
    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to produce to", Required = true };
        var partition = new Option<int?>("--partition", "-p") { Description = "Partition (default: the partitioner's choice, by key)" };
        partition.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--partition must be 0 or more"); });
        var keyDelimiter = new Option<string?>("--key-delimiter", "-K") { Description = "Split each line at the first DELIM into key and value" };
        keyDelimiter.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is "") r.AddError("-K needs a non-empty delimiter"); });
        var headers = new Option<string[]>("--header", "-H") { Description = "Header key=value added to every record (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var compression = new Option<string>("--compression", "-z") { Description = "Codec", DefaultValueFactory = _ => "none" };
        compression.AcceptOnlyFromAmong("none", "gzip", "snappy", "lz4", "zstd");
        var acks = new Option<string>("--acks") { Description = "Acknowledgements to wait for (0 and 1 turn idempotence off)", DefaultValueFactory = _ => "all" };
        acks.AcceptOnlyFromAmong("all", "-1", "1", "0");
        var file = new Option<FileInfo?>("--file") { Description = "Read lines from FILE instead of stdin" };
        var transactionalId = new Option<string?>("--transactional-id") { Description = "Produce in transactions under this transactional id (read_committed consumers see only committed ones)" };
        transactionalId.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is "") r.AddError("--transactional-id cannot be empty"); });
        var transactionSize = new Option<int?>("--transaction-size") { Description = "Records per transaction (default: the whole input in one)" };
        var abortEvery = new Option<int?>("--abort-every") { Description = "Abort every K-th transaction instead of committing it (default 0: never)" };
        foreach (Option<int?> number in new[] { transactionSize, abortEvery })
        {
            number.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int?>() is < 0) r.AddError($"{number.Name} must be 0 or more");
                else if (r.GetValueOrDefault<int?>() is not null && r.GetResult(transactionalId) is null) r.AddError($"{number.Name} needs --transactional-id");
            });
        }

        var command = new Command("produce", "Produce records from stdin (or --file), one per line, like kcat -P")
        {
            topic, partition, keyDelimiter, headers, compression, acks, file, transactionalId, transactionSize, abortEvery,
        };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var options = new ProducerOptions
            {
                Compression = Enum.Parse<CompressionType>(result.GetValue(compression)!, ignoreCase: true),
                Acks = result.GetValue(acks) switch { "0" => Acks.None, "1" => Acks.Leader, _ => Acks.All },
            };
            options.EnableIdempotence = options.Acks == Acks.All;
            if (result.GetValue(partition) is int fixedPartition) options.Partitioner = new FixedPartitioner(fixedPartition);
            options.TransactionalId = result.GetValue(transactionalId);
            connection.Read(result, options);
            var request = new ProduceRequest(
                result.GetRequiredValue(topic),
                result.GetValue(keyDelimiter) is string delimiter ? Encoding.UTF8.GetBytes(delimiter) : null,
                ParseHeaders(result.GetValue(headers) ?? []),
                result.GetValue(transactionSize) ?? 0,
                result.GetValue(abortEvery) ?? 0);
            FileInfo? input = result.GetValue(file);
            await using Stream lines = input is null ? console.StandardInput : OpenInput(input);
            return await RunAsync(options, request, lines, console, ct);
        });
        return command;
    }

    private sealed record ProduceRequest(string Topic, byte[]? KeyDelimiter, RecordHeader[]? Headers, int TransactionSize, int AbortEvery);

    private static async Task<int> RunAsync(ProducerOptions options, ProduceRequest request, Stream input, CliConsole console, CancellationToken ct)
    {
        var tally = new ProduceTally();
        var clock = Stopwatch.StartNew();
        string transactions = "";
        using (new ProgressLine(console, () => $"produced {tally.Sent:N0}, acknowledged {tally.Acknowledged:N0}, failed {tally.Failed:N0}"))
        {
            await using var producer = new KafkaProducer<byte[], byte[]>(options, Serializers.ByteArray, Serializers.ByteArray);
            if (options.TransactionalId is null)
            {
                await SendLinesAsync(producer, null, request, input, tally, ct);
                await producer.FlushAsync(CancellationToken.None);
            }
            else
            {
                var grouping = new ProduceTransactions(producer, request.TransactionSize, request.AbortEvery);
                try
                {
                    await grouping.InitAsync(ct);
                    bool interrupted = await SendLinesAsync(producer, grouping, request, input, tally, ct);
                    await grouping.FinishAsync(interrupted);
                }
                catch (KafkaTransactionException e)
                {
                    throw await grouping.FailAsync(e);
                }
                transactions = $" in {grouping.Summary}";
            }
        }
        if (tally.Failed > 0)
            throw new CliFailure($"{tally.Failed:N0} of {tally.Sent:N0} records failed ({tally.Acknowledged:N0} delivered to {request.Topic}): {tally.FirstError?.Message}");
        console.Error.WriteLine($"kafkanative: produced {tally.Acknowledged:N0} record{(tally.Acknowledged == 1 ? "" : "s")} to {request.Topic}{transactions} in {clock.Elapsed.TotalSeconds:F2} s");
        return ExitCodes.Success;
    }

    /// <summary>Sends each non-empty line, inside <paramref name="grouping"/>'s transactions when given; true when interrupted.</summary>
    private static async Task<bool> SendLinesAsync(
        KafkaProducer<byte[], byte[]> producer, ProduceTransactions? grouping, ProduceRequest request, Stream input, ProduceTally tally, CancellationToken ct)
    {
        try
        {
            await foreach (byte[] line in InputLines.ReadAsync(input, ct))
            {
                if (line.Length == 0) continue;
                (byte[]? key, byte[] value) = Split(line, request.KeyDelimiter);
                grouping?.BeforeRecord();
                await producer.EnqueueAsync(request.Topic, key, value, request.Headers, tally.Report, ct);
                tally.Sent++;
                if (grouping is not null) await grouping.AfterRecordAsync();
            }
            return false;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Interrupted: what was read is still delivered (or its open transaction aborted) by the caller.
            return true;
        }
    }

    private static (byte[]? Key, byte[] Value) Split(byte[] line, byte[]? delimiter)
    {
        if (delimiter is null) return (null, line);
        int at = line.AsSpan().IndexOf(delimiter);
        return at < 0 ? (null, line) : (line[..at], line[(at + delimiter.Length)..]);
    }

    private static RecordHeader[]? ParseHeaders(string[] pairs)
    {
        if (pairs.Length == 0) return null;
        return pairs.Select(pair =>
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0) throw new UsageException($"-H expects key=value, got '{pair}'");
            return new RecordHeader(pair[..equals], Encoding.UTF8.GetBytes(pair[(equals + 1)..]));
        }).ToArray();
    }

    private static FileStream OpenInput(FileInfo file)
    {
        try
        {
            return file.OpenRead();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--file {file.FullName}: {e.Message}");
        }
    }

    /// <summary>Counts outcomes reported on producer tasks; <see cref="Sent"/> belongs to the reading loop.</summary>
    private sealed class ProduceTally
    {
        private long _acknowledged;
        private long _failed;
        private KafkaException? _firstError;

        public long Sent { get; set; }

        public long Acknowledged => Interlocked.Read(ref _acknowledged);

        public long Failed => Interlocked.Read(ref _failed);

        public KafkaException? FirstError => Volatile.Read(ref _firstError);

        public void Report(DeliveryReport report)
        {
            if (report.Succeeded)
            {
                Interlocked.Increment(ref _acknowledged);
                return;
            }
            Interlocked.CompareExchange(ref _firstError, report.Error, null);
            Interlocked.Increment(ref _failed);
        }
    }
}
