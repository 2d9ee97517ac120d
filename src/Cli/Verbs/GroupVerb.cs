using System.CommandLine;
using KafkaNative.Admin;
using KafkaNative.Cli.Output;

namespace KafkaNative.Cli.Verbs;

/// <summary><c>group list|describe|delete|reset-offsets</c>: consumer groups, as kafka-consumer-groups manages them.</summary>
internal static class GroupVerb
{
    public static Command Create(CliConsole console) => new("group", "List, describe, delete consumer groups or reset their offsets")
    {
        ListGroups(console), DescribeGroup(console), DeleteGroup(console), GroupResetOffsets.Create(console),
    };

    internal static Option<string> GroupId() => new("--group", "-G") { Description = "Consumer group id", Required = true };

    private static Command ListGroups(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var command = new Command("list", "List the groups of every broker");
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            await using KafkaAdminClient admin = connection.Admin(result);
            var table = new TextTable("GROUP", "STATE", "PROTOCOL-TYPE");
            foreach (GroupListing group in await admin.ListGroupsAsync(ct)) table.Add(group.GroupId, group.State, group.ProtocolType);
            using StreamWriter output = console.OpenText();
            table.WriteTo(output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DescribeGroup(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var group = GroupId();
        var command = new Command("describe", "A group's state, members, and committed offsets with their lag") { group };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            string groupId = result.GetRequiredValue(group);
            await using KafkaAdminClient admin = connection.Admin(result);
            GroupDescription described = (await admin.DescribeGroupsAsync([groupId], ct)).Single();
            IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> committed = await admin.ListConsumerGroupOffsetsAsync(groupId, cancellationToken: ct);
            if (described.State == "Dead" && committed.Count == 0) throw new CliFailure($"group {groupId} does not exist");
            var ends = committed.Count == 0 ? new Dictionary<TopicPartition, ListedOffset>()
                : await admin.ListOffsetsAsync(committed.Keys.ToDictionary(p => p, _ => OffsetSpec.Latest), ct);

            using StreamWriter output = console.OpenText();
            output.WriteLine($"Group {groupId}: {described.State}, protocol {(described.Protocol.Length == 0 ? "-" : described.Protocol)}, {described.Members.Count} members");
            if (described.Members.Count > 0)
            {
                output.WriteLine();
                var members = new TextTable("MEMBER-ID", "CLIENT-ID", "HOST", "INSTANCE-ID");
                foreach (GroupMemberDescription m in described.Members) members.Add(m.MemberId, m.ClientId, m.ClientHost, m.GroupInstanceId);
                members.WriteTo(output);
            }
            if (committed.Count > 0)
            {
                output.WriteLine();
                var offsets = new TextTable("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG");
                foreach ((TopicPartition p, OffsetAndMetadata o) in committed.OrderBy(c => c.Key.Topic, StringComparer.Ordinal).ThenBy(c => c.Key.Partition))
                    offsets.Add(p.Topic, p.Partition, o.Offset, ends[p].Offset, Math.Max(0, ends[p].Offset - o.Offset));
                offsets.WriteTo(output);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteGroup(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var group = GroupId();
        var command = new Command("delete", "Delete a group and its committed offsets (it must have no active members)") { group };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            await using KafkaAdminClient admin = connection.Admin(result);
            await admin.DeleteGroupsAsync([result.GetRequiredValue(group)], ct);
            console.Error.WriteLine($"kafkanative: deleted group {result.GetRequiredValue(group)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
