using System.IO.Pipelines;

namespace KafkaNative;

/// <summary>
/// One open connection of an <see cref="IKafkaTransport"/>: the client writes requests to
/// <see cref="IDuplexPipe.Output"/> and reads responses from <see cref="IDuplexPipe.Input"/>.
/// </summary>
/// <remarks>
/// The client completes <see cref="IDuplexPipe.Input"/> and <see cref="IDuplexPipe.Output"/> when it is
/// done with them and then disposes the connection. A peer that closes the connection shows as a
/// completed input; one that resets it as an input that throws.
/// </remarks>
public interface IKafkaTransportConnection : IDuplexPipe, IAsyncDisposable
{
    /// <summary>What the connection runs over, for logs (for example <c>tcp 127.0.0.1:50412 → 127.0.0.1:9092</c>).</summary>
    string Description { get; }

    /// <summary>
    /// Closes the connection at once, without waiting for buffered output: a pending read or flush
    /// returns, and the peer sees the connection close. Safe to call from any thread, more than once.
    /// </summary>
    void Abort();
}
