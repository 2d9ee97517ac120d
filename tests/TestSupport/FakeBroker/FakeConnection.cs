using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;

namespace KafkaNative.TestSupport;

/// <summary>One client connection to a <see cref="FakeBroker"/>: requests are read on one task and answered in order on another.</summary>
public sealed class FakeConnection
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<FakeRequest> _requests = Channel.CreateUnbounded<FakeRequest>();
    private Stream _stream;
    private int _pipelined;

    internal FakeConnection(FakeBroker broker, Socket socket)
    {
        Broker = broker;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public FakeBroker Broker { get; }

    public int MaxPipelined { get; private set; }

    /// <summary>SASL exchange in progress or done on this connection.</summary>
    public FakeSaslServer? Sasl { get; set; }

    public bool IsClosed { get; private set; }

    internal async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Broker.Certificate is { } certificate)
            {
                var ssl = new SslStream(_stream, false);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken);
                _stream = ssl;
            }
            _ = Task.Run(() => AnswerLoopAsync(cancellationToken));
            byte[] sizeBuffer = new byte[4];
            while (true)
            {
                await _stream.ReadExactlyAsync(sizeBuffer, cancellationToken);
                int size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
                byte[] frame = new byte[size];
                await _stream.ReadExactlyAsync(frame, cancellationToken);
                MaxPipelined = Math.Max(MaxPipelined, Interlocked.Increment(ref _pipelined));
                FakeRequest request = FakeRequest.Parse(this, frame);
                Broker.Record(request);
                await _requests.Writer.WriteAsync(request, cancellationToken);
            }
        }
        catch (Exception)
        {
            Close();
        }
    }

    private async Task AnswerLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (FakeRequest request in _requests.Reader.ReadAllAsync(cancellationToken))
            {
                await Broker.HandleAsync(request);
            }
        }
        catch (Exception)
        {
            Close();
        }
    }

    /// <summary>Called before a response is written: the client may send the next request as soon as it reads it.</summary>
    public void MarkAnswered() => Interlocked.Decrement(ref _pipelined);

    public async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Close()
    {
        IsClosed = true;
        _requests.Writer.TryComplete();
        try
        {
            _stream.Dispose();
        }
        catch (Exception)
        {
            // Closing twice or mid-handshake is fine for a fake.
        }
    }
}
