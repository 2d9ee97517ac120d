using KafkaNative.Integration.Tests.Brokers;
using KafkaNative.Integration.Tests.Suite;
using Xunit.Abstractions;

namespace KafkaNative.Integration.Tests;

/// <summary>The suite against the chosen broker: KAFKA_BOOTSTRAP_SERVERS, else Testcontainers, else the Sim.</summary>
public sealed class ChosenBrokerTests(ChosenBrokerFixture fixture, ITestOutputHelper output) : BrokerSuite(fixture, output), IClassFixture<ChosenBrokerFixture>;

/// <summary>The suite against a Testcontainers Kafka 4.x; skipped, with the reason, where no Docker engine answers.</summary>
public sealed class TestcontainersBrokerTests(TestcontainersFixture fixture, ITestOutputHelper output) : BrokerSuite(fixture, output), IClassFixture<TestcontainersFixture>;
