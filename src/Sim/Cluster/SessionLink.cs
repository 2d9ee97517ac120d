using System.IO.Pipelines;

namespace KafkaNative.Sim;

/// <summary>
/// What a client session runs over: an accepted TCP socket (<see cref="SocketSessionLink"/>) or an
/// in-process pipe pair (<see cref="InMemorySessionLink"/>). The session reads requests from and
/// writes responses to the pipe that <see cref="OpenAsync"/> returns.
/// </summary>
internal abstract class SessionLink
{
    /// <summary>The client's address, as logs and group descriptions show it.</summary>
    public abstract string ClientHost { get; }

    /// <summary>The session's pipe, once the link is ready for Kafka frames (after the TLS handshake, for TLS sockets).</summary>
    public abstract ValueTask<IDuplexPipe> OpenAsync(CancellationToken ct);

    /// <summary>Unblocks reads and writes that wait on the client; called when the session is closed.</summary>
    public abstract void Interrupt();

    /// <summary>Makes the coming close abortive: the client sees a connection reset, as from a crashed broker.</summary>
    public abstract void ResetOnClose();

    /// <summary>Closes the link once the session's reader and writer are done with it.</summary>
    public abstract ValueTask CloseAsync();
}
