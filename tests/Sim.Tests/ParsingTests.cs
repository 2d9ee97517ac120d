using KafkaNative.Protocol;

namespace KafkaNative.Sim.Tests;

public sealed class ParsingTests
{
    [Fact]
    public void Chaos_specs_parse_into_timed_actions()
    {
        IReadOnlyList<ChaosEvent> events = ChaosSchedule.Parse(
            "stop:1@2s,start:1@5s,kill:2@6s,latency:2=200ms@1s,stall:0@3s,drop:1@4s,leader:orders.v1/3=2@1500ms,unstall:0@1m,error:Produce=NOT_LEADER_OR_FOLLOWER/0.25/2@0s", 3);
        Assert.Equal(
        [
            new ChaosEvent(TimeSpan.Zero, new InjectError(ApiKey.Produce, ErrorCode.NotLeaderOrFollower, 0.25, 2)),
            new ChaosEvent(TimeSpan.FromSeconds(1), new AddLatency(2, TimeSpan.FromMilliseconds(200))),
            new ChaosEvent(TimeSpan.FromMilliseconds(1500), new MoveLeader("orders.v1", 3, 2)),
            new ChaosEvent(TimeSpan.FromSeconds(2), new StopBroker(1)),
            new ChaosEvent(TimeSpan.FromSeconds(3), new Stall(0, true)),
            new ChaosEvent(TimeSpan.FromSeconds(4), new DropConnections(1)),
            new ChaosEvent(TimeSpan.FromSeconds(5), new StartBroker(1)),
            new ChaosEvent(TimeSpan.FromSeconds(6), new KillBroker(2)),
            new ChaosEvent(TimeSpan.FromMinutes(1), new Stall(0, false)),
        ], events);
    }

    [Theory]
    [InlineData("stop:1")]
    [InlineData("stop:3@1s")]
    [InlineData("kill:x@1s")]
    [InlineData("stop:1@2")]
    [InlineData("explode:1@1s")]
    [InlineData("latency:1@1s")]
    [InlineData("leader:orders=1@1s")]
    [InlineData("error:Produce=NoSuchError/0.5@1s")]
    [InlineData("error:Produce=NotLeaderOrFollower/1.5@1s")]
    public void Bad_chaos_specs_are_rejected_with_a_message(string spec)
    {
        FormatException error = Assert.Throws<FormatException>(() => ChaosSchedule.Parse(spec, 3));
        Assert.Contains(spec.Split('@')[0].Split(':')[0], error.Message);
    }

    [Fact]
    public void The_default_architecture_spreads_brokers_over_three_zones()
    {
        Architecture architecture = Architecture.Default(4);
        Assert.Equal(["zone-a", "zone-b", "zone-c", "zone-a"], architecture.Brokers.Select(b => b.Zone));
        Assert.Empty(architecture.Topics);
    }

    [Fact]
    public void Architecture_files_name_brokers_zones_and_topics()
    {
        const string json = """
            {
              // spigo-style header
              "arch": "two-racks",
              "description": "four brokers on two racks",
              "brokers": [ { "id": 1, "zone": "r2" }, { "id": 0, "zone": "r1" }, { "id": 2, "zone": "r1" }, { "id": 3, "zone": "r2" } ],
              "topics": [
                { "name": "orders", "partitions": 12, "replicationFactor": 2, "config": { "min.insync.replicas": "2" } },
                { "name": "audit" },
              ]
            }
            """;
        Architecture architecture = Architecture.Parse(json, new ClusterOptions { DefaultPartitions = 3 });
        Assert.Equal("two-racks", architecture.Name);
        Assert.Equal([0, 1, 2, 3], architecture.Brokers.Select(b => b.Id));
        Assert.Equal(["r1", "r2", "r1", "r2"], architecture.Brokers.Select(b => b.Zone));
        Assert.Equal(new TopicSpec("orders", 12, 2, architecture.Topics[0].Configs), architecture.Topics[0]);
        Assert.Equal("2", architecture.Topics[0].Configs["min.insync.replicas"]);
        Assert.Equal(3, architecture.Topics[1].Partitions);
        Assert.Equal(3, architecture.Topics[1].ReplicationFactor);

        Architecture counted = Architecture.Parse("""{ "zones": ["x", "y"], "brokers": 3 }""", new ClusterOptions());
        Assert.Equal(["x", "y", "x"], counted.Brokers.Select(b => b.Zone));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{ "brokers": [ { "id": 0 }, { "id": 2 } ] }""")]
    [InlineData("""{ "brokers": 0 }""")]
    [InlineData("""{ "brokers": 2, "topics": [ { "name": "t", "replicationFactor": 3 } ] }""")]
    [InlineData("""{ "topics": [ { "name": "bad name" } ] }""")]
    [InlineData("""{ "topics": [ { "partitions": 1 } ] }""")]
    public void Invalid_architectures_are_rejected(string json)
    {
        Assert.Throws<FormatException>(() => Architecture.Parse(json, new ClusterOptions()));
    }

    [Fact]
    public async Task A_cluster_built_from_an_architecture_file_places_replicas_on_different_zones()
    {
        string file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """
            { "zones": ["a", "b", "c"], "brokers": 6, "topics": [ { "name": "spread", "partitions": 12, "replicationFactor": 3 } ] }
            """);
        try
        {
            await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { ArchitectureFile = file, Seed = 5 });
            Assert.Equal(6, cluster.BrokerIds.Count);
            await using var client = await Support.KafkaTestClient.ConnectAsync(cluster, 0);
            var metadata = await client.SendAsync<Protocol.Messages.MetadataRequest, Protocol.Messages.MetadataResponse>(new Protocol.Messages.MetadataRequest { Topics = null }, 9);
            var racks = metadata.Brokers.ToDictionary(b => b.NodeId, b => b.Rack);
            var partitions = metadata.Topics.Single(t => t.Name == "spread").Partitions;
            Assert.Equal(12, partitions.Count);
            Assert.All(partitions, p => Assert.Equal(3, p.ReplicaNodes.Select(r => racks[r]).Distinct().Count()));
            Assert.True(partitions.Select(p => p.LeaderId).Distinct().Count() >= 5, "leaders spread over the brokers");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
