using System.CommandLine;
using KafkaNative.Admin;
using KafkaNative.Cli.Output;

namespace KafkaNative.Cli.Verbs;

/// <summary><c>offsets</c>: each partition's earliest and latest offset, and with <c>--timestamp</c> the first offset at or after that time.</summary>
internal static class OffsetsVerb
{
    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic", Required = true };
        var timestamp = new Option<long?>("--timestamp") { Description = "Also look up the first offset at or after this time (ms since the epoch; -1 when none)" };
        var command = new Command("offsets", "List each partition's earliest and latest offsets (and the offset at a timestamp)") { topic, timestamp };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            string name = result.GetRequiredValue(topic);
            await using KafkaAdminClient admin = connection.Admin(result);
            IReadOnlyList<TopicPartition> partitions = await TopicLookup.PartitionsAsync(admin, name, ct);
            var earliest = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => OffsetSpec.Earliest), ct);
            var latest = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => OffsetSpec.Latest), ct);
            long? at = result.GetValue(timestamp);
            var atTime = at is long ms ? await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => new OffsetSpec(ms)), ct) : null;

            var table = atTime is null ? new TextTable("TOPIC", "PARTITION", "EARLIEST", "LATEST") : new TextTable("TOPIC", "PARTITION", "EARLIEST", "LATEST", $"AT-{at}");
            foreach (TopicPartition p in partitions)
            {
                if (atTime is null) table.Add(p.Topic, p.Partition, earliest[p].Offset, latest[p].Offset);
                else table.Add(p.Topic, p.Partition, earliest[p].Offset, latest[p].Offset, atTime[p].Offset);
            }
            using StreamWriter output = console.OpenText();
            table.WriteTo(output);
            return ExitCodes.Success;
        });
        return command;
    }
}
