using System.CommandLine;
using System.Text.Json;
using KafkaNative.Admin;
using KafkaNative.Cli.Output;

namespace KafkaNative.Cli.Verbs;

/// <summary><c>transaction list|describe</c>: transactional ids and their transactions, as kafka-transactions shows them (KIP-664).</summary>
internal static class TransactionVerb
{
    public static Command Create(CliConsole console) => new("transaction", "List transactional ids or describe their transactions")
    {
        ListTransactions(console), DescribeTransactions(console),
    };

    private static Option<bool> Json(string fields) => new("--json", "-J") { Description = $"JSON: an array of objects with {fields}" };

    private static Command ListTransactions(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var states = new Option<string[]>("--state") { Description = "Only transactions in this state (repeatable): empty, ongoing, prepare-commit, prepare-abort, complete-commit, complete-abort, dead, prepare-epoch-fence", Arity = ArgumentArity.ZeroOrMore };
        var producerIds = new Option<long[]>("--producer-id") { Description = "Only this producer id (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var duration = new Option<long?>("--duration-filter") { Description = "Only transactions running for longer than this many ms (brokers with ListTransactions v1, Kafka 3.8+)" };
        var json = Json("transactional_id, producer_id, state");
        var command = new Command("list", "List the transactional ids of every broker, with their producer id and state") { states, producerIds, duration, json };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            long? durationMs = result.GetValue(duration);
            if (durationMs < 0) throw new UsageException($"--duration-filter: {durationMs} is negative");
            var options = new ListTransactionsOptions
            {
                States = (result.GetValue(states) ?? []).Select(s => EnumOptions.Parse(s, TransactionState.Unknown, "--state")).ToList(),
                ProducerIds = result.GetValue(producerIds) ?? [],
                RunningLongerThan = durationMs is long ms ? TimeSpan.FromMilliseconds(ms) : null,
            };
            await using KafkaAdminClient admin = connection.Admin(result);
            IReadOnlyList<TransactionListing> listings = await admin.ListTransactionsAsync(options, ct);
            if (result.GetValue(json))
            {
                WriteJson(console.StandardOutput, listings, (writer, l) =>
                {
                    writer.WriteString("transactional_id", l.TransactionalId);
                    writer.WriteNumber("producer_id", l.ProducerId);
                    writer.WriteString("state", l.State.ToString());
                });
                return ExitCodes.Success;
            }
            var table = new TextTable("TRANSACTIONAL-ID", "PRODUCER-ID", "STATE");
            foreach (TransactionListing l in listings) table.Add(l.TransactionalId, l.ProducerId, l.State);
            using StreamWriter output = console.OpenText();
            table.WriteTo(output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DescribeTransactions(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var ids = new Argument<string[]>("transactional-id") { Description = "Transactional ids to describe", Arity = ArgumentArity.OneOrMore };
        var json = Json("transactional_id, coordinator_id, state, producer_id, producer_epoch, transaction_timeout_ms, transaction_start_ms (null when none), topic_partitions (topic, partition)");
        var command = new Command("describe", "Each transactional id's coordinator, producer id and epoch, state, timeout, start and partitions") { ids, json };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            await using KafkaAdminClient admin = connection.Admin(result);
            IReadOnlyList<TransactionDescription> described = await admin.DescribeTransactionsAsync(result.GetRequiredValue(ids), ct);
            if (result.GetValue(json))
            {
                WriteJson(console.StandardOutput, described, WriteDescription);
                return ExitCodes.Success;
            }
            DateTimeOffset now = DateTimeOffset.UtcNow;
            var table = new TextTable("TRANSACTIONAL-ID", "COORDINATOR", "PRODUCER-ID", "EPOCH", "STATE", "TIMEOUT-MS", "START-TIME", "DURATION-MS", "PARTITIONS");
            foreach (TransactionDescription d in described)
            {
                table.Add(d.TransactionalId, d.CoordinatorId, d.ProducerId, d.ProducerEpoch, d.State, (long)d.TransactionTimeout.TotalMilliseconds,
                    d.TransactionStart?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                    d.TransactionStart is { } start ? Math.Max(0, (long)(now - start).TotalMilliseconds) : null,
                    d.TopicPartitions.Count == 0 ? null : string.Join(',', d.TopicPartitions));
            }
            using StreamWriter output = console.OpenText();
            table.WriteTo(output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteDescription(Utf8JsonWriter json, TransactionDescription d)
    {
        json.WriteString("transactional_id", d.TransactionalId);
        json.WriteNumber("coordinator_id", d.CoordinatorId);
        json.WriteString("state", d.State.ToString());
        json.WriteNumber("producer_id", d.ProducerId);
        json.WriteNumber("producer_epoch", d.ProducerEpoch);
        json.WriteNumber("transaction_timeout_ms", (long)d.TransactionTimeout.TotalMilliseconds);
        if (d.TransactionStart is { } start) json.WriteNumber("transaction_start_ms", start.ToUnixTimeMilliseconds());
        else json.WriteNull("transaction_start_ms");
        json.WriteStartArray("topic_partitions");
        foreach (TopicPartition p in d.TopicPartitions)
        {
            json.WriteStartObject();
            json.WriteString("topic", p.Topic);
            json.WriteNumber("partition", p.Partition);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>One indented JSON array of objects, each written by <paramref name="write"/>, then a newline.</summary>
    private static void WriteJson<T>(Stream stdout, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (T item in items)
            {
                json.WriteStartObject();
                write(json, item);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }
}
