using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace KafkaNative.Sim;

/// <summary>An accepted TCP socket, with TLS over it when the cluster has a certificate, pumped into pipes.</summary>
internal sealed class SocketSessionLink(Socket socket, X509Certificate2? certificate) : SessionLink
{
    private static readonly TimeSpan TlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    private Stream _stream = new NetworkStream(socket, ownsSocket: true);
    private IDuplexPipe? _pipe;

    public override string ClientHost { get; } = (socket.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown";

    public override async ValueTask<IDuplexPipe> OpenAsync(CancellationToken ct)
    {
        if (certificate is not null)
        {
            var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
            _stream = tls;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TlsHandshakeTimeout);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, timeout.Token).ConfigureAwait(false);
        }
        _pipe = new Duplex(
            PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true)),
            PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true)));
        return _pipe;
    }

    public override void Interrupt() => socket.Dispose();

    public override void ResetOnClose()
    {
        try
        {
            // Linger 0 makes the close send RST instead of FIN.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
        }
    }

    public override async ValueTask CloseAsync()
    {
        if (_pipe is not null)
        {
            await _pipe.Input.CompleteAsync().ConfigureAwait(false);
            try
            {
                await _pipe.Output.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
                // Unsent responses of a closed session have nowhere to go.
            }
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
