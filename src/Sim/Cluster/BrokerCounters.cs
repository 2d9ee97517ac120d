using KafkaNative.Protocol;
using KafkaNative.Sim.Handlers;

namespace KafkaNative.Sim;

/// <summary>
/// Per-broker counters tests can read: requests and request bytes received per API key, connections
/// accepted, and how fetches met the fetch session cache.
/// </summary>
internal sealed class BrokerCounters
{
    private readonly long[] _requests = new long[short.MaxValue + 1];
    private readonly long[] _requestBytes = new long[short.MaxValue + 1];
    private readonly long[] _fetches = new long[Enum.GetValues<FetchKind>().Length];
    private long _connections;

    /// <summary>Counts a request of <paramref name="bytes"/> bytes on the wire, its 4-byte size prefix included.</summary>
    public void RequestReceived(short apiKey, long bytes)
    {
        if (apiKey < 0) return;
        Interlocked.Increment(ref _requests[apiKey]);
        Interlocked.Add(ref _requestBytes[apiKey], bytes);
    }

    public void ConnectionAccepted() => Interlocked.Increment(ref _connections);

    public void FetchAnswered(FetchKind kind) => Interlocked.Increment(ref _fetches[(int)kind]);

    public long Requests(ApiKey api) => (short)api >= 0 ? Interlocked.Read(ref _requests[(short)api]) : 0;

    public long RequestBytes(ApiKey api) => (short)api >= 0 ? Interlocked.Read(ref _requestBytes[(short)api]) : 0;

    public long Fetches(FetchKind kind) => Interlocked.Read(ref _fetches[(int)kind]);

    public long Connections => Interlocked.Read(ref _connections);
}
