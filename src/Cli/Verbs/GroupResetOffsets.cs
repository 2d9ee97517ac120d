using System.CommandLine;
using System.Globalization;
using KafkaNative.Admin;
using KafkaNative.Cli.Output;

namespace KafkaNative.Cli.Verbs;

/// <summary>
/// <c>group reset-offsets</c>, as kafka-consumer-groups --reset-offsets: computes each partition's new offset
/// (<c>--to-earliest</c>, <c>--to-latest</c>, <c>--to-offset N</c> clamped to the log, <c>--to-datetime</c>), prints the plan,
/// and commits it only with <c>--execute</c> (<c>--dry-run</c> is the default). Kafka takes the commit only while the group is empty.
/// </summary>
internal static class GroupResetOffsets
{
    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var group = GroupVerb.GroupId();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic whose partitions are reset", Required = true };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "Reset to the earliest offset" };
        var toLatest = new Option<bool>("--to-latest") { Description = "Reset to the latest offset" };
        var toOffset = new Option<long?>("--to-offset") { Description = "Reset to this offset (clamped to the log)" };
        var toDatetime = new Option<string?>("--to-datetime") { Description = "Reset to the first offset at or after this time, e.g. 2026-01-31T12:00:00Z" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print the new offsets (the default)" };
        var execute = new Option<bool>("--execute") { Description = "Commit the new offsets" };
        var command = new Command("reset-offsets", "Reset a group's committed offsets for a topic (dry run unless --execute)")
        {
            group, topic, toEarliest, toLatest, toOffset, toDatetime, dryRun, execute,
        };
        command.Validators.Add(r =>
        {
            int targets = (r.GetValue(toEarliest) ? 1 : 0) + (r.GetValue(toLatest) ? 1 : 0) + (r.GetValue(toOffset) is null ? 0 : 1) + (r.GetValue(toDatetime) is null ? 0 : 1);
            if (targets != 1) r.AddError("reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime");
            if (r.GetValue(dryRun) && r.GetValue(execute)) r.AddError("--dry-run and --execute exclude each other");
        });
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            string groupId = result.GetRequiredValue(group);
            OffsetSpec target = result.GetValue(toEarliest) ? OffsetSpec.Earliest
                : result.GetValue(toLatest) ? OffsetSpec.Latest
                : result.GetValue(toDatetime) is string text ? OffsetSpec.ForTime(ParseTime(text))
                : OffsetSpec.Earliest;
            await using KafkaAdminClient admin = connection.Admin(result);
            IReadOnlyList<TopicPartition> partitions = await TopicLookup.PartitionsAsync(admin, result.GetRequiredValue(topic), ct);
            Dictionary<TopicPartition, long> plan = await PlanAsync(admin, partitions, target, result.GetValue(toOffset), ct);
            if (result.GetValue(execute))
                await admin.AlterConsumerGroupOffsetsAsync(groupId, plan.ToDictionary(p => p.Key, p => new OffsetAndMetadata(p.Value)), ct);

            var table = new TextTable("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
            foreach ((TopicPartition p, long offset) in plan) table.Add(groupId, p.Topic, p.Partition, offset);
            using StreamWriter output = console.OpenText();
            table.WriteTo(output);
            if (!result.GetValue(execute)) console.Error.WriteLine("kafkanative: dry run: nothing committed (add --execute to commit)");
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<Dictionary<TopicPartition, long>> PlanAsync(KafkaAdminClient admin, IReadOnlyList<TopicPartition> partitions, OffsetSpec target, long? exact, CancellationToken ct)
    {
        var latest = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => OffsetSpec.Latest), ct);
        if (exact is long offset)
        {
            var earliest = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => OffsetSpec.Earliest), ct);
            return partitions.ToDictionary(p => p, p => Math.Clamp(offset, earliest[p].Offset, latest[p].Offset));
        }
        var found = await admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => target), ct);
        // No record at or after the time: the log end, as kafka-consumer-groups does.
        return partitions.ToDictionary(p => p, p => found[p].Offset >= 0 ? found[p].Offset : latest[p].Offset);
    }

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time)
            ? time
            : throw new UsageException($"--to-datetime: '{text}' is not a date and time (e.g. 2026-01-31T12:00:00Z)");
}
