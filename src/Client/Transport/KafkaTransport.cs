using System.IO.Pipelines;

namespace KafkaNative.Client;

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

    /// <summary>The transport <see cref="KafkaClientOptions.Transport"/> starts with.</summary>
    public static IKafkaTransport Default => StreamPump;
}
