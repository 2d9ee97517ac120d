using KafkaNative.Integration.Tests.Brokers;
using Xunit.Abstractions;

namespace KafkaNative.Integration.Tests.Suite;

/// <summary>
/// The suite: the same cases against every kind of broker. A concrete class picks the fixture; every
/// case first skips, with the fixture's reason, when its broker is unavailable.
/// </summary>
public abstract partial class BrokerSuite(BrokerFixture fixture, ITestOutputHelper output)
{
    protected IBrokerUnderTest Broker => fixture.Broker;

    protected void RequireBroker()
    {
        Skip.If(Broker.Unavailable is not null, Broker.Unavailable);
        output.WriteLine($"broker under test: {Broker.Mode} at {Broker.BootstrapServers}");
    }
}
