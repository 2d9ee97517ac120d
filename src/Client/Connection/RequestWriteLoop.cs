using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using KafkaNative.Client.Diagnostics;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Client;

/// <summary>
/// The one writer of a connection: takes queued requests, gives each a correlation id, frames it and
/// writes it, flushing once per batch so pipelined requests share system calls.
/// </summary>
internal sealed class RequestWriteLoop(BrokerConnection connection, ChannelReader<PendingRequest> requests, PipeWriter output, string clientId)
{
    // Reused for every request: the header object and the frame buffer are only touched by this loop
    // (or by re-authentication, which holds the gate and so excludes the loop).
    private readonly RequestHeader _header = new() { ClientId = clientId };
    private readonly PooledBufferWriter _frame = new(16 * 1024);
    private int _nextCorrelationId;

    /// <summary>Held while writing a batch; re-authentication takes it to keep other requests off the wire.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    while (requests.TryRead(out PendingRequest? pending)) Write(pending);
                    await FlushAsync().ConfigureAwait(false);
                }
                finally
                {
                    Gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            connection.Fault(new KafkaConnectionException($"Writing to broker {connection.NodeId} at {connection.Endpoint} failed: {exception.Message}", exception));
        }
        finally
        {
            _frame.Dispose();
        }
    }

    /// <summary>
    /// Writes and flushes one request now. The caller must hold <see cref="Gate"/>. Never throws: a
    /// write failure closes the connection, which fails the request.
    /// </summary>
    public async ValueTask WriteDirectAsync(PendingRequest pending)
    {
        try
        {
            Write(pending);
            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            connection.Fault(new KafkaConnectionException($"Writing to broker {connection.NodeId} at {connection.Endpoint} failed: {exception.Message}", exception));
        }
    }

    /// <exception cref="IOException">The broker's side stopped reading (a transport's pipe completed).</exception>
    private async ValueTask FlushAsync()
    {
        FlushResult result = await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        if (result.IsCompleted) throw new IOException("The connection was closed by the broker.");
    }

    private void Write(PendingRequest pending)
    {
        if (pending.IsDone)
        {
            // Cancelled or failed before it reached the wire: nothing to send, nothing to wait for.
            pending.Release();
            return;
        }

        int correlationId = unchecked(++_nextCorrelationId);
        try
        {
            _frame.Clear();
            int start = Framing.BeginFrame(_frame);
            var writer = new KafkaWriter(_frame);
            _header.RequestApiKey = (short)pending.ApiKey;
            _header.RequestApiVersion = pending.Version;
            _header.CorrelationId = correlationId;
            _header.Write(ref writer, pending.RequestHeaderVersion);
            pending.Request!.Write(ref writer, pending.Version);
            writer.Flush();
            Framing.EndFrame(_frame, start);
        }
        catch (Exception exception) when (exception is KafkaException or ArgumentException or InvalidOperationException)
        {
            // A request that cannot be encoded fails alone; the connection is fine.
            pending.TryFail(exception);
            pending.Release();
            return;
        }

        pending.CorrelationId = correlationId;
        pending.MarkWritten();
        if (!pending.ExpectsResponse)
        {
            // The broker will not answer (acks=0): the request is done once it is on its way.
            output.Write(_frame.WrittenSpan);
            KafkaTelemetry.Requests.Add(1, new KeyValuePair<string, object?>("kafka.api", KafkaTelemetry.ApiName(pending.ApiKey)));
            KafkaTelemetry.BytesSent.Add(_frame.WrittenCount);
            pending.TryComplete(default);
            pending.Release();
            return;
        }
        // Registered before the bytes go out, so the response can never arrive first.
        if (!connection.TryAddAwaiting(pending)) return;
        output.Write(_frame.WrittenSpan);
        KafkaTelemetry.Requests.Add(1, new KeyValuePair<string, object?>("kafka.api", KafkaTelemetry.ApiName(pending.ApiKey)));
        KafkaTelemetry.BytesSent.Add(_frame.WrittenCount);
    }
}
