using System.IO.Pipelines;

namespace KafkaNative.Client;

/// <summary>A connection over a <see cref="Stream"/>, pumped into pipes by the stream adapters of System.IO.Pipelines.</summary>
internal sealed class StreamTransportConnection : IKafkaTransportConnection
{
    private readonly Stream _stream;

    public StreamTransportConnection(Stream stream, string description)
    {
        _stream = stream;
        Description = description;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        // Produce requests run to megabytes: large segments keep a frame to a few pooled arrays.
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 128 * 1024, leaveOpen: true));
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public string Description { get; }

    /// <summary>Disposing the stream closes the socket, which unblocks a read or write waiting on the network.</summary>
    public void Abort() => _stream.Dispose();

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
