using System.CommandLine;
using KafkaNative.Admin;
using KafkaNative.Cli.Records;

namespace KafkaNative.Cli.Verbs;

/// <summary>
/// <c>consume</c>: prints records to stdout, as kcat -C (assign mode: every partition, or <c>-p</c>) or kcat -G
/// (<c>-G GROUP</c>: a member of the consumer group, committing what it printed). Stops at Ctrl+C, after
/// <c>-c COUNT</c> records, or with <c>-e</c> once every assigned partition is read to its end.
/// </summary>
internal static class ConsumeVerb
{
    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to consume", Required = true };
        var group = new Option<string?>("--group", "-G") { Description = "Join this consumer group (default: assign partitions, no group)" };
        var partition = new Option<int?>("--partition", "-p") { Description = "Only this partition (assign mode)" };
        partition.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--partition must be 0 or more"); });
        var offset = new Option<string>("--offset", "-o")
        {
            Description = "Start: beginning, end, stored, N, -N (N before the end) or @TIMESTAMP_MS; with -G only beginning or end (for partitions without a committed offset)",
            DefaultValueFactory = _ => "end",
        };
        var exitAtEnd = new Option<bool>("--exit", "-e") { Description = "Exit once every assigned partition is read to its end" };
        var count = new Option<long?>("--count", "-c") { Description = "Exit after COUNT records" };
        count.Validators.Add(r => { if (r.GetValueOrDefault<long?>() is < 1) r.AddError("--count must be 1 or more"); });
        var format = new Option<string>("--format", "-f") { Description = "Output format: %k %s %t %p %o %T %h %K %S, \\n \\t (kcat's)", DefaultValueFactory = _ => RecordFormat.Default };
        var json = new Option<bool>("--json", "-J") { Description = "One JSON object per record: topic, partition, offset, timestamp, key, value, headers (non-UTF-8 bytes as base64)" };

        var command = new Command("consume", "Print records to stdout, like kcat -C (or kcat -G with -G GROUP)")
        {
            topic, group, partition, offset, exitAtEnd, count, format, json,
        };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            string? groupId = result.GetValue(group);
            StartOffset start = StartOffset.Parse(result.GetValue(offset)!);
            if (groupId is not null && result.GetValue(partition) is not null) throw new UsageException("-p and -G exclude each other: a group member gets its partitions from the group");
            var options = new ConsumerOptions { GroupId = groupId };
            if (groupId is not null) options.AutoOffsetReset = GroupReset(result.GetValue(offset)!);
            connection.Read(result, options);
            var output = new RecordOutput(result.GetValue(json) ? null : new RecordFormat(result.GetValue(format)!), console.StandardOutput);
            var plan = new ConsumePlan(result.GetRequiredValue(topic), result.GetValue(partition), start, result.GetValue(exitAtEnd), result.GetValue(count));
            // The partition and offset look-ups connect as the consumer does; its own -X settings (isolation.level,
            // fetch.*) would be usage errors on an admin client's options.
            await using var admin = new KafkaAdminClient(options);
            return await RunAsync(options, plan, admin, output, console, ct);
        });
        return command;
    }

    private sealed record ConsumePlan(string Topic, int? Partition, StartOffset Start, bool ExitAtEnd, long? Count);

    private static AutoOffsetReset GroupReset(string offset) => offset switch
    {
        "beginning" => AutoOffsetReset.Earliest,
        "end" => AutoOffsetReset.Latest,
        _ => throw new UsageException($"-o {offset} cannot be used with -G: a group member starts at its committed offsets, else at beginning or end"),
    };

    private static async Task<int> RunAsync(ConsumerOptions options, ConsumePlan plan, KafkaAdminClient admin, RecordOutput output, CliConsole console, CancellationToken ct)
    {
        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(options, Deserializers.ByteArray, Deserializers.ByteArray);
        if (options.GroupId is null) consumer.Assign(await plan.Start.ResolveAsync(admin, await PartitionsAsync(admin, plan, ct), ct));
        else consumer.Subscribe([plan.Topic]);

        long printed = 0;
        using var end = new EndOfPartitions<byte[]?, byte[]?>(consumer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, plan.ExitAtEnd ? end.Reached : CancellationToken.None);
        using (new ProgressLine(console, () => $"consumed {Interlocked.Read(ref printed):N0} records"))
        {
            try
            {
                await foreach (ConsumeResult<byte[]?, byte[]?> record in consumer.ConsumeAsync(stop.Token))
                {
                    output.Write(record);
                    if (++printed == plan.Count) break;
                    if (plan.ExitAtEnd) end.Check();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl+C or the end of every partition: a normal way to stop.
            }
        }
        output.Flush();
        if (options.GroupId is not null) await consumer.CommitAsync(CancellationToken.None);
        console.Error.WriteLine($"kafkanative: consumed {printed:N0} record{(printed == 1 ? "" : "s")} from {plan.Topic}");
        return ExitCodes.Success;
    }

    private static async Task<IReadOnlyList<TopicPartition>> PartitionsAsync(KafkaAdminClient admin, ConsumePlan plan, CancellationToken ct)
    {
        IReadOnlyList<TopicPartition> all = await TopicLookup.PartitionsAsync(admin, plan.Topic, ct);
        if (plan.Partition is not int only) return all;
        return all.Any(p => p.Partition == only)
            ? [new TopicPartition(plan.Topic, only)]
            : throw new UsageException($"partition {only} does not exist: topic {plan.Topic} has {all.Count} partitions");
    }

    /// <summary>Writes records in the chosen form (a kcat format, or JSON lines when null) and flushes each, so a reader sees it at once.</summary>
    private sealed class RecordOutput(RecordFormat? format, Stream stdout)
    {
        private readonly BufferedStream _buffer = new(stdout, 64 * 1024);

        public void Write(ConsumeResult<byte[]?, byte[]?> record)
        {
            if (format is null) JsonRecordWriter.Write(_buffer, record);
            else format.Write(_buffer, record);
            _buffer.Flush();
        }

        public void Flush() => _buffer.Flush();
    }
}
