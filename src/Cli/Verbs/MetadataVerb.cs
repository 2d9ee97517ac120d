using System.CommandLine;
using System.Text.Json;
using KafkaNative.Admin;
using KafkaNative.Protocol;

namespace KafkaNative.Cli.Verbs;

/// <summary>
/// <c>metadata</c> (alias <c>list</c>): brokers, topics and partitions with leader, replicas and in-sync replicas,
/// laid out as <c>kcat -L</c> prints them, or as one JSON document with <c>-J</c>.
/// </summary>
internal static class MetadataVerb
{
    public static Command Create(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string?>("--topic", "-t") { Description = "Only this topic" };
        var json = new Option<bool>("--json", "-J") { Description = "JSON: controller_id, brokers (id, host, port, rack), topics (topic, error, partitions: partition, leader, replicas, isrs)" };
        var command = new Command("metadata", "List brokers, topics and partitions, like kcat -L") { topic, json };
        command.Aliases.Add("list");
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            await using KafkaAdminClient admin = connection.Admin(result);
            ClusterDescription cluster = await admin.DescribeClusterAsync(ct);
            string? only = result.GetValue(topic);
            IReadOnlyList<TopicMetadata> topics = only is not null
                ? await admin.DescribeTopicsAsync([only], ct)
                : await admin.ListTopicsAsync(includeInternal: true, ct);
            if (result.GetValue(json)) WriteJson(console.StandardOutput, cluster, topics);
            else WriteText(console, cluster, topics, only);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteText(CliConsole console, ClusterDescription cluster, IReadOnlyList<TopicMetadata> topics, string? only)
    {
        using StreamWriter output = console.OpenText();
        output.WriteLine($"Metadata for {(only is null ? "all topics" : $"topic {only}")} (cluster {cluster.ClusterId}):");
        output.WriteLine($" {cluster.Brokers.Count} brokers:");
        foreach (BrokerMetadata broker in cluster.Brokers)
            output.WriteLine($"  broker {broker.NodeId} at {broker.Endpoint.Host}:{broker.Endpoint.Port}{(broker.NodeId == cluster.ControllerId ? " (controller)" : "")}");
        output.WriteLine($" {topics.Count} topics:");
        foreach (TopicMetadata t in topics)
        {
            string error = t.Error == ErrorCode.None ? "" : $" {t.Error.Name()}";
            output.WriteLine($"  topic \"{t.Name}\" with {t.Partitions.Count} partitions:{error}");
            foreach (PartitionMetadata p in t.Partitions.OrderBy(p => p.Partition))
            {
                string partitionError = p.Error == ErrorCode.None ? "" : $", {p.Error.Name()}";
                output.WriteLine($"    partition {p.Partition}, leader {p.LeaderId}, replicas: {string.Join(',', p.Replicas)}, isrs: {string.Join(',', p.InSyncReplicas)}{partitionError}");
            }
        }
    }

    private static void WriteJson(Stream stdout, ClusterDescription cluster, IReadOnlyList<TopicMetadata> topics)
    {
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("cluster_id", cluster.ClusterId);
            json.WriteNumber("controller_id", cluster.ControllerId);
            json.WriteStartArray("brokers");
            foreach (BrokerMetadata broker in cluster.Brokers)
            {
                json.WriteStartObject();
                json.WriteNumber("id", broker.NodeId);
                json.WriteString("host", broker.Endpoint.Host);
                json.WriteNumber("port", broker.Endpoint.Port);
                json.WriteString("rack", broker.Rack);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("topics");
            foreach (TopicMetadata t in topics)
            {
                json.WriteStartObject();
                json.WriteString("topic", t.Name);
                if (t.Error != ErrorCode.None) json.WriteString("error", t.Error.Name());
                json.WriteStartArray("partitions");
                foreach (PartitionMetadata p in t.Partitions.OrderBy(p => p.Partition))
                {
                    json.WriteStartObject();
                    json.WriteNumber("partition", p.Partition);
                    json.WriteNumber("leader", p.LeaderId);
                    WriteInts(json, "replicas", p.Replicas);
                    WriteInts(json, "isrs", p.InSyncReplicas);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }

    private static void WriteInts(Utf8JsonWriter json, string name, IReadOnlyList<int> values)
    {
        json.WriteStartArray(name);
        foreach (int value in values) json.WriteNumberValue(value);
        json.WriteEndArray();
    }
}
