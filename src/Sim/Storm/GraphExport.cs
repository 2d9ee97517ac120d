using System.Text.Json;
using System.Xml.Linq;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// The simulated topology in spigo's two graph formats. Node names follow spigo's dotted hierarchy
/// (region.zone.package.instance); brokers are nodes of package "kafka-broker", clients are aggregated per
/// zone and kind. Edges run from client groups to the brokers they sent requests to, and from followers to
/// the leaders they replicate.
/// </summary>
internal static class GraphExport
{
    private static readonly XNamespace GraphMl = "http://graphml.graphdrawing.org/xmlns";

    private sealed record Node(string Id, string Package, string Zone, string Region, int Count, string State);

    private sealed record Edge(string Source, string Target, string Kind, long Weight);

    /// <summary>GraphJSON as spigo writes it: a header and a flat "graph" array of node and edge elements.</summary>
    public static void WriteGraphJson(StormResult result, Stream stream)
    {
        var (nodes, edges) = BuildGraph(result);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("arch", result.Scenario.Topology.Name);
        json.WriteString("version", "spigo-0.4");
        json.WriteString("args", $"storm --scenario {result.Scenario.Name} --clients {result.Scenario.Clients} --seed {result.Scenario.Seed}");
        json.WriteStartArray("graph");
        foreach (var node in nodes)
        {
            json.WriteStartObject();
            json.WriteString("node", node.Id);
            json.WriteString("package", node.Package);
            json.WriteString("metadata", $"zone/{node.Zone} region/{node.Region} count/{node.Count} state/{node.State}");
            json.WriteEndObject();
        }
        for (int index = 0; index < edges.Count; index++)
        {
            json.WriteStartObject();
            json.WriteString("edge", $"e{index + 1}");
            json.WriteString("source", edges[index].Source);
            json.WriteString("target", edges[index].Target);
            json.WriteString("kind", edges[index].Kind);
            json.WriteNumber("weight", edges[index].Weight);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteGraphMl(StormResult result, Stream stream)
    {
        var (nodes, edges) = BuildGraph(result);
        XElement Key(string id, string target, string name, string type) =>
            new(GraphMl + "key", new XAttribute("id", id), new XAttribute("for", target), new XAttribute("attr.name", name), new XAttribute("attr.type", type));
        XElement Data(string key, object value) => new(GraphMl + "data", new XAttribute("key", key), value);

        var graph = new XElement(GraphMl + "graph", new XAttribute("id", result.Scenario.Topology.Name), new XAttribute("edgedefault", "directed"));
        foreach (var node in nodes)
        {
            graph.Add(new XElement(GraphMl + "node", new XAttribute("id", node.Id),
                Data("package", node.Package), Data("zone", node.Zone), Data("region", node.Region),
                Data("count", node.Count), Data("state", node.State)));
        }
        for (int index = 0; index < edges.Count; index++)
        {
            graph.Add(new XElement(GraphMl + "edge", new XAttribute("id", $"e{index + 1}"),
                new XAttribute("source", edges[index].Source), new XAttribute("target", edges[index].Target),
                Data("kind", edges[index].Kind), Data("weight", edges[index].Weight)));
        }
        var document = new XDocument(
            new XDeclaration("1.0", "UTF-8", null),
            new XElement(GraphMl + "graphml",
                Key("package", "node", "package", "string"),
                Key("zone", "node", "zone", "string"),
                Key("region", "node", "region", "string"),
                Key("count", "node", "count", "int"),
                Key("state", "node", "state", "string"),
                Key("kind", "edge", "kind", "string"),
                Key("weight", "edge", "weight", "long"),
                graph));
        document.Save(stream);
    }

    private static string BrokerNodeId(TopologyBroker spec) => $"{spec.Region}.{spec.Zone}.kafka-broker.broker{spec.Id}";

    private static (List<Node> Nodes, List<Edge> Edges) BuildGraph(StormResult result)
    {
        var nodes = new List<Node>();
        var edges = new List<Edge>();
        var brokerIds = result.Brokers.ToDictionary(broker => broker.Spec.Id, broker => BrokerNodeId(broker.Spec));
        foreach (var broker in result.Brokers)
        {
            string state = !broker.Alive ? "dead" : broker.Degraded ? "degraded" : "alive";
            nodes.Add(new Node(brokerIds[broker.Spec.Id], "kafka-broker", broker.Spec.Zone, broker.Spec.Region, 1, state));
        }
        foreach (var group in result.ClientGroups)
            nodes.Add(new Node($"{group.Region}.{group.Zone}.{group.Kind}", group.Kind, group.Zone, group.Region, group.Count, "alive"));

        string RegionOf(string zone) => result.Scenario.Topology.RegionOf(zone);
        foreach (var flow in result.Traffic)
            edges.Add(new Edge($"{RegionOf(flow.Zone)}.{flow.Zone}.{flow.Kind}", brokerIds[flow.BrokerId], "requests", flow.Requests));

        var replicas = result.Scenario.Topology.AssignReplicas();
        var brokers = result.Scenario.Topology.Brokers;
        foreach (var pair in replicas
                     .SelectMany(set => set.Skip(1).Select(follower => (Follower: follower, Leader: set[0])))
                     .GroupBy(pair => pair)
                     .OrderBy(group => group.Key.Follower).ThenBy(group => group.Key.Leader))
        {
            edges.Add(new Edge(BrokerNodeId(brokers[pair.Key.Follower]), BrokerNodeId(brokers[pair.Key.Leader]), "replication", pair.Count()));
        }
        return (nodes, edges);
    }
}
