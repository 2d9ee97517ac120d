using System.IO.Pipelines;

namespace KafkaNative.Sim;

/// <summary>
/// Two in-process pipes between a client and a session, no socket: the session reads what the client
/// writes and the other way round. Both pipes pause their writer past a megabyte, so neither side buffers
/// without bound. There is no TLS in memory.
/// </summary>
internal sealed class InMemorySessionLink : SessionLink
{
    private static readonly PipeOptions Options = new(
        pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false);

    private readonly Pipe _toBroker = new(Options);
    private readonly Pipe _toClient = new(Options);
    private volatile bool _reset;

    public override string ClientHost => "in-memory";

    /// <summary>The client's end; disposing it runs <paramref name="closeSession"/>, as a client closing its socket ends the session.</summary>
    public IDuplexPipe ClientEnd(Action closeSession) => new ClientPipe(_toClient.Reader, _toBroker.Writer, closeSession);

    public override ValueTask<IDuplexPipe> OpenAsync(CancellationToken ct) => ValueTask.FromResult<IDuplexPipe>(new SessionPipe(_toBroker.Reader, _toClient.Writer));

    /// <summary>Nothing to do: the session's reads and writes on pipes observe its cancellation.</summary>
    public override void Interrupt()
    {
    }

    public override void ResetOnClose() => _reset = true;

    public override ValueTask CloseAsync()
    {
        _toBroker.Reader.Complete();
        // A reset shows to the client as a read that fails, as a socket's ECONNRESET does; a close as the end of the stream.
        _toClient.Writer.Complete(_reset ? new IOException("Connection reset by peer (in-memory broker session aborted)") : null);
        return ValueTask.CompletedTask;
    }

    private sealed record SessionPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private sealed class ClientPipe(PipeReader input, PipeWriter output, Action closeSession) : IDuplexPipe, IDisposable
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;

        public void Dispose() => closeSession();
    }
}
