using System.CommandLine;
using KafkaNative.Admin;

namespace KafkaNative.Cli.Verbs;

/// <summary><c>topic create|delete|describe|alter</c>: topics, their partitions and configuration, as kafka-topics does.</summary>
internal static class TopicVerb
{
    public static Command Create(CliConsole console) => new("topic", "Create, delete, describe or alter topics")
    {
        CreateTopic(console), DeleteTopic(console), DescribeTopic(console), AlterTopic(console),
    };

    private static Option<string> TopicName() => new("--topic", "-t") { Description = "Topic name", Required = true };

    private static Option<string[]> Configs(string description) => new("--config") { Description = description, Arity = ArgumentArity.ZeroOrMore };

    private static Command CreateTopic(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = TopicName();
        var partitions = new Option<int>("--partitions") { Description = "Partition count (default: the broker's)", DefaultValueFactory = _ => -1 };
        partitions.Validators.Add(r => { if (r.GetValueOrDefault<int>() is 0 or < -1) r.AddError("--partitions must be 1 or more"); });
        var replication = new Option<short>("--replication-factor") { Description = "Replicas per partition (default: the broker's)", DefaultValueFactory = _ => -1 };
        replication.Validators.Add(r => { if (r.GetValueOrDefault<short>() is 0 or < -1) r.AddError("--replication-factor must be 1 or more"); });
        var configs = Configs("Topic config key=value (repeatable), e.g. cleanup.policy=compact");
        var command = new Command("create", "Create a topic") { topic, partitions, replication, configs };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            await using KafkaAdminClient admin = connection.Admin(result);
            string name = result.GetRequiredValue(topic);
            await admin.CreateTopicsAsync([new NewTopic(name, result.GetValue(partitions), result.GetValue(replication))
            {
                Configs = KeyValueOptions.Parse("--config", result.GetValue(configs)),
            }], cancellationToken: ct);
            console.Error.WriteLine($"kafkanative: created topic {name}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteTopic(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = TopicName();
        var command = new Command("delete", "Delete a topic") { topic };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            await using KafkaAdminClient admin = connection.Admin(result);
            await admin.DeleteTopicsAsync([result.GetRequiredValue(topic)], ct);
            console.Error.WriteLine($"kafkanative: deleted topic {result.GetRequiredValue(topic)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DescribeTopic(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = TopicName();
        var command = new Command("describe", "Partitions (leader, replicas, in-sync replicas) and non-default configs of a topic") { topic };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            await using KafkaAdminClient admin = connection.Admin(result);
            string name = result.GetRequiredValue(topic);
            TopicMetadata described = (await admin.DescribeTopicsAsync([name], ct)).Single();
            KafkaErrorException.ThrowIfError((short)described.Error, $"topic {name}");
            IReadOnlyList<ConfigEntry> configs = await admin.DescribeConfigsAsync(new ConfigResource(ConfigResourceType.Topic, name), ct);
            using StreamWriter output = console.OpenText();
            output.WriteLine($"Topic: {name}\tTopicId: {described.TopicId}\tPartitionCount: {described.Partitions.Count}\tReplicationFactor: {described.Partitions.FirstOrDefault()?.Replicas.Count ?? 0}");
            foreach (ConfigEntry config in configs.Where(c => !c.IsDefault).OrderBy(c => c.Name, StringComparer.Ordinal))
                output.WriteLine($"\tConfig: {config.Name}={(config.IsSensitive ? "(sensitive)" : config.Value)}");
            foreach (PartitionMetadata p in described.Partitions.OrderBy(p => p.Partition))
                output.WriteLine($"\tPartition: {p.Partition}\tLeader: {p.LeaderId}\tReplicas: {string.Join(',', p.Replicas)}\tIsr: {string.Join(',', p.InSyncReplicas)}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command AlterTopic(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = TopicName();
        var partitions = new Option<int?>("--partitions") { Description = "Raise the partition count to this total" };
        partitions.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--partitions must be 1 or more"); });
        var configs = Configs("Set a topic config key=value (repeatable)");
        var deleteConfigs = new Option<string[]>("--delete-config") { Description = "Reset a topic config to its default (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("alter", "Add partitions to a topic or change its configs") { topic, partitions, configs, deleteConfigs };
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            string name = result.GetRequiredValue(topic);
            var alterations = KeyValueOptions.Parse("--config", result.GetValue(configs)).Select(c => new ConfigAlteration(c.Key, c.Value))
                .Concat((result.GetValue(deleteConfigs) ?? []).Select(key => new ConfigAlteration(key, null, AlterConfigOperation.Delete)))
                .ToList();
            int? newTotal = result.GetValue(partitions);
            if (newTotal is null && alterations.Count == 0) throw new UsageException("topic alter needs --partitions, --config or --delete-config");
            await using KafkaAdminClient admin = connection.Admin(result);
            if (newTotal is int total) await admin.CreatePartitionsAsync(new Dictionary<string, int> { [name] = total }, ct);
            if (alterations.Count > 0) await admin.AlterConfigsAsync(new ConfigResource(ConfigResourceType.Topic, name), alterations, ct);
            console.Error.WriteLine($"kafkanative: altered topic {name}");
            return ExitCodes.Success;
        });
        return command;
    }
}
