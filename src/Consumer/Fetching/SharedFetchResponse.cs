using KafkaNative.Client;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Fetching;

/// <summary>
/// A Fetch response whose records are slices of one pooled buffer, shared by the feeders of its
/// partitions: each holds a reference while it decodes its share; the last release returns the buffer.
/// </summary>
internal sealed class SharedFetchResponse(ResponseLease<FetchResponse> lease)
{
    private int _references = 1;

    public FetchResponse Response { get; } = lease.Response;

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) lease.Dispose();
    }
}
