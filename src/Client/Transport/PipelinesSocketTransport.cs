using System.IO.Pipelines;
using System.Net.Sockets;
using Pipelines.Sockets.Unofficial;

namespace KafkaNative.Client;

/// <summary>
/// TCP through Pipelines.Sockets.Unofficial: its send and receive loops move bytes between the socket
/// and two pipes, with no stream in between. TLS needs a stream, so it goes through the stream pump.
/// </summary>
internal sealed class PipelinesSocketTransport : IKafkaTransport
{
    // For both pipes. The writer pauses past a few megabytes, so neither direction buffers without bound
    // (the response reader consumes a large frame as it arrives rather than waiting for all of it).
    // Inline readers, and socket reads completing inline: a flush of requests runs the send loop at once,
    // and received bytes run the response reader on the I/O thread, as the stream pump does, with no
    // thread-pool hop between (bench/README.md measured the hops; inline writes measured worse).
    private static readonly PipeOptions Options = new(
        readerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false);

    public async ValueTask<IKafkaTransportConnection> ConnectAsync(BrokerEndpoint endpoint, KafkaTlsOptions? tls, CancellationToken cancellationToken)
    {
        if (tls is not null) return await KafkaTransport.StreamPump.ConnectAsync(endpoint, tls, cancellationToken).ConfigureAwait(false);
        Socket socket = await TcpConnector.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        string description = TcpConnector.Describe(socket, "pipelines");
        SocketConnection connection = SocketConnection.Create(socket, Options, Options, SocketConnectionOptions.InlineReads, description);
        return new SocketTransportConnection(connection, description);
    }

    /// <summary>A <see cref="SocketConnection"/> as a transport connection; disposing it closes the socket.</summary>
    private sealed class SocketTransportConnection(SocketConnection connection, string description) : IKafkaTransportConnection
    {
        public PipeReader Input => connection.Input;

        public PipeWriter Output => connection.Output;

        public string Description => description;

        public void Abort() => connection.Dispose();

        public ValueTask DisposeAsync()
        {
            connection.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
