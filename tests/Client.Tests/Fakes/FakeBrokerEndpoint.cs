namespace KafkaNative.Client.Tests.Fakes;

/// <summary>The fake broker's address as the client's own type; TestSupport knows nothing of the client.</summary>
internal static class FakeBrokerEndpoint
{
    extension(FakeBroker broker)
    {
        public BrokerEndpoint Endpoint => new(broker.Host, broker.Port);
    }
}
