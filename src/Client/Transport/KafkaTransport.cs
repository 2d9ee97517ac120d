using KafkaNative.Client;
using System.IO.Pipelines;

namespace KafkaNative;

/// <summary>The transports the client ships with, for <see cref="KafkaClientOptions.Transport"/>.</summary>
public static class KafkaTransport
{
    /// <summary>
    /// TCP with the socket pumped straight into pipes (Pipelines.Sockets.Unofficial). TLS needs a
    /// <see cref="Stream"/> for <see cref="System.Net.Security.SslStream"/>, so TLS connections go
    /// through <see cref="StreamPump"/>.
    /// </summary>
    public static IKafkaTransport Pipelines { get; } = new PipelinesSocketTransport();

    /// <summary>
    /// TCP through a <see cref="System.Net.Sockets.NetworkStream"/> (wrapped in an
    /// <see cref="System.Net.Security.SslStream"/> for TLS), pumped by <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions?)"/>
    /// and <see cref="PipeWriter.Create(Stream, StreamPipeWriterOptions?)"/>.
    /// </summary>
    public static IKafkaTransport StreamPump { get; } = new StreamPumpTransport();

    /// <summary>The transport <see cref="KafkaClientOptions.Transport"/> starts with: <see cref="Pipelines"/>, level with the stream pump within a few percent (bench/README.md).</summary>
    public static IKafkaTransport Default => Pipelines;

    /// <summary>
    /// Connects through <paramref name="connect"/>, which returns the client's end of an in-process
    /// duplex pipe, for example <c>(endpoint, ct) =&gt; cluster.ConnectInMemoryAsync(endpoint.Host, endpoint.Port, ct)</c>
    /// of a simulated cluster: no sockets. When the pipe is also <see cref="IDisposable"/>, aborting the
    /// connection disposes it, which should close the peer's session.
    /// </summary>
    /// <param name="connect">Opens a pipe to a broker; throws as the socket transport does when there is none to reach.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connect"/> is null.</exception>
    public static IKafkaTransport InMemory(Func<BrokerEndpoint, CancellationToken, ValueTask<IDuplexPipe>> connect)
    {
        ArgumentNullException.ThrowIfNull(connect);
        return new InMemoryTransport(connect);
    }
}
