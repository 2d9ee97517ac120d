using KafkaNative.Sim.Storm;

namespace KafkaNative.Sim.Tests.Storm;

public sealed class ScenarioParserTests
{
    private const string FullScenario = """
        {
          // comments and trailing commas are allowed
          "name": "my-storm",
          "description": "two brokers, one dies",
          "topology": {
            "name": "pair",
            "brokers": [ { "id": 10, "zone": "a", "region": "r" }, { "id": 11, "zone": "b", "region": "r" } ],
            "topics": [ { "name": "orders", "partitions": 4, "replicationFactor": 2 } ],
          },
          "clients": 300,
          "consumerFraction": 0.5,
          "durationSeconds": 30,
          "load": { "producesPerSecond": 500, "fetchesPerSecond": 100 },
          "seed": 7,
          "broker": { "concurrency": 4, "queueLimit": 100, "leaderElectionDelayMs": 1000 },
          "network": { "crossZoneMs": 2 },
          "policy": { "name": "mine", "attemptTimeoutMs": 500, "retries": 3, "deliveryBudgetMs": 3000,
                      "backoff": { "initialMs": 10, "maxMs": 200, "jitter": 1 },
                      "circuitBreaker": { "enabled": true, "failureThreshold": 3 } },
          "faults": [ { "atSeconds": 10, "action": "kill-broker", "broker": 10 },
                      { "atSeconds": 20, "action": "restore-broker", "broker": 10 } ]
        }
        """;

    [Fact]
    public void ParsesEveryField()
    {
        var scenario = ScenarioParser.Parse(FullScenario);

        Assert.Equal("my-storm", scenario.Name);
        Assert.Equal("pair", scenario.Topology.Name);
        Assert.Equal(2, scenario.Topology.Brokers.Count);
        Assert.Equal(4, scenario.Topology.PartitionCount);
        Assert.Equal(300, scenario.Clients);
        Assert.Equal(150, scenario.ConsumerCount);
        Assert.Equal(500, scenario.ProducesPerSecond);
        Assert.Equal(7, scenario.Seed);
        Assert.Equal(4, scenario.Broker.Concurrency);
        Assert.Equal(2.0, scenario.Broker.ProduceServiceMs);
        Assert.Equal(2, scenario.Network.CrossZoneMs);
        Assert.Equal(0.25, scenario.Network.SameZoneMs);
        Assert.Equal(3, scenario.Policy.Retries);
        Assert.True(scenario.Policy.CircuitBreaker.Enabled);
        Assert.Equal(3, scenario.Policy.CircuitBreaker.FailureThreshold);
        Assert.Equal([new Fault(10, FaultAction.KillBroker, 10), new Fault(20, FaultAction.RestoreBroker, 10)], scenario.Faults);

        var result = new StormSimulation(scenario).Run();
        Assert.True(result.Summary.OperationsNeeded > 0);
    }

    [Fact]
    public void BuiltInTopologyAndPolicyByName()
    {
        var scenario = ScenarioParser.Parse("""{ "name": "x", "topology": "two-regions", "policy": "retry-storm" }""");

        Assert.Same(Topology.TwoRegions, scenario.Topology);
        Assert.Same(RetryPolicy.RetryStorm, scenario.Policy);
    }

    [Theory]
    [InlineData("{ \"name\": ", "malformed scenario JSON")]
    [InlineData("[1, 2]", "malformed scenario JSON")]
    [InlineData("null", "the document is null")]
    [InlineData("{ \"name\": \"x\", \"clients\": \"many\" }", "$.clients")]
    [InlineData("{ \"name\": \"x\", \"clinets\": 5 }", "clinets")]
    [InlineData("{ \"name\": \"x\", \"clients\": -5 }", "clients must be within 1..1,000,000, got -5")]
    [InlineData("{ \"clients\": 5 }", "name must not be empty")]
    [InlineData("{ \"name\": \"x\", \"topology\": \"moon-base\" }", "unknown built-in topology 'moon-base'")]
    [InlineData("{ \"name\": \"x\", \"policy\": \"yolo\" }", "unknown built-in policy 'yolo'")]
    [InlineData("{ \"name\": \"x\", \"faults\": [ { \"atSeconds\": 5, \"action\": \"nuke\" } ] }", "faults[0].action: unknown action 'nuke'")]
    [InlineData("{ \"name\": \"x\", \"faults\": [ { \"action\": \"kill-broker\" } ] }", "faults[0].atSeconds is required")]
    [InlineData("{ \"name\": \"x\", \"faults\": [ { \"atSeconds\": 500, \"action\": \"kill-broker\" } ] }", "faults[0].atSeconds must be within 0..120")]
    [InlineData("{ \"name\": \"x\", \"faults\": [ { \"atSeconds\": 5, \"action\": \"kill-broker\", \"broker\": 42 } ] }", "no broker 42")]
    [InlineData("{ \"name\": \"x\", \"faults\": [ { \"atSeconds\": 5, \"action\": \"slow-broker\" } ] }", "slow-broker needs extraLatencyMs")]
    [InlineData("{ \"name\": \"x\", \"broker\": { \"concurrency\": 0 } }", "broker.concurrency must be at least 1")]
    [InlineData("{ \"name\": \"x\", \"policy\": { \"propagateDeadline\": true, \"deliveryBudgetMs\": 0 } }", "propagateDeadline needs a deliveryBudgetMs")]
    [InlineData("{ \"name\": \"x\", \"topology\": { \"brokers\": [ { \"id\": 1, \"zone\": \"a\", \"region\": \"r\" } ], \"topics\": [ { \"name\": \"t\", \"partitions\": 3, \"replicationFactor\": 2 } ] } }", "replicationFactor must be 1..1")]
    [InlineData("{ \"name\": \"x\", \"topology\": { \"brokers\": [ { \"id\": 1, \"zone\": \"a\", \"region\": \"r\" }, { \"id\": 1, \"zone\": \"b\", \"region\": \"r\" } ], \"topics\": [ { \"name\": \"t\", \"partitions\": 3, \"replicationFactor\": 1 } ] } }", "broker id 1 appears twice")]
    [InlineData("{ \"name\": \"x\", \"topology\": { \"brokers\": [], \"topics\": [] } }", "at least one broker")]
    public void BadInputIsAScenarioFormatExceptionNamingTheProblem(string json, string expected)
    {
        var error = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(json, "test.json"));

        Assert.StartsWith("test.json: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void MissingFileIsAScenarioFormatException()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-scenario-{Guid.NewGuid():N}.json");

        var error = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.ParseFile(path));
        Assert.Contains("cannot read scenario file", error.Message);
    }

    [Fact]
    public void EveryBuiltInScenarioIsValidAndNamesAreUnique()
    {
        foreach (var scenario in ScenarioCatalog.All)
            scenario.Validate();
        Assert.Equal(ScenarioCatalog.All.Count, ScenarioCatalog.All.Select(s => s.Name).Distinct().Count());
        foreach (string name in new[] { "retry-storm", "budgeted-retries", "failover", "no-failover", "circuit-breaker", "no-circuit-breaker", "chaos-monkey", "chaos-gorilla", "latency-monkey" })
            Assert.NotNull(ScenarioCatalog.Find(name));
    }

    [Fact]
    public void ReplicasOfAPartitionSitInDifferentZones()
    {
        foreach (var topology in Topology.BuiltIn)
        {
            foreach (var replicas in topology.AssignReplicas())
                Assert.Equal(replicas.Length, replicas.Select(index => topology.Brokers[index].Zone).Distinct().Count());
        }
    }
}
