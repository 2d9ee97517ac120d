using System.IO.Pipelines;

namespace KafkaNative.Client;

/// <summary>Connects through a delegate that hands out in-process duplex pipes; see <see cref="KafkaTransport.InMemory"/>.</summary>
internal sealed class InMemoryTransport(Func<BrokerEndpoint, CancellationToken, ValueTask<IDuplexPipe>> connect) : IKafkaTransport
{
    public async ValueTask<IKafkaTransportConnection> ConnectAsync(BrokerEndpoint endpoint, KafkaTlsOptions? tls, CancellationToken cancellationToken)
    {
        if (tls is not null)
            throw new NotSupportedException("The in-memory transport has no TLS; leave KafkaClientOptions.Tls unset.");
        IDuplexPipe pipe = await connect(endpoint, cancellationToken).ConfigureAwait(false);
        return new PipeTransportConnection(pipe, $"in-memory {endpoint}");
    }

    private sealed class PipeTransportConnection(IDuplexPipe pipe, string description) : IKafkaTransportConnection
    {
        public PipeReader Input => pipe.Input;

        public PipeWriter Output => pipe.Output;

        public string Description => description;

        /// <summary>Wakes this side's pending read and flush, and closes the peer's side when the pipe can be closed.</summary>
        public void Abort()
        {
            pipe.Input.CancelPendingRead();
            pipe.Output.CancelPendingFlush();
            (pipe as IDisposable)?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            (pipe as IDisposable)?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
