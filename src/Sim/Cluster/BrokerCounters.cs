using KafkaNative.Protocol;

namespace KafkaNative.Sim;

/// <summary>Per-broker counters tests can read: requests received per API key and connections accepted.</summary>
internal sealed class BrokerCounters
{
    private readonly long[] _requests = new long[short.MaxValue + 1];
    private long _connections;

    public void RequestReceived(short apiKey)
    {
        if (apiKey >= 0) Interlocked.Increment(ref _requests[apiKey]);
    }

    public void ConnectionAccepted() => Interlocked.Increment(ref _connections);

    public long Requests(ApiKey api) => (short)api >= 0 ? Interlocked.Read(ref _requests[(short)api]) : 0;

    public long Connections => Interlocked.Read(ref _connections);
}
