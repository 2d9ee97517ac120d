using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using KafkaNative.Client.Diagnostics;
using KafkaNative.Protocol;

namespace KafkaNative.Client;

/// <summary>
/// The one reader of a connection: cuts the byte stream into frames (rejecting oversized size
/// prefixes before buffering anything), matches each to the oldest request awaiting a response by
/// correlation id, and hands over a pooled copy. Decoding happens on the sender's side.
/// </summary>
internal sealed class ResponseReadLoop(BrokerConnection connection, PipeReader input, int maxResponseSize)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Exception reason;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (Framing.TryReadFrame(ref buffer, maxResponseSize, out ReadOnlySequence<byte> frame))
                    Dispatch(frame);

                if (result.IsCompleted)
                {
                    reason = buffer.IsEmpty
                        ? new KafkaConnectionException($"Broker {connection.NodeId} at {connection.Endpoint} closed the connection.")
                        : new KafkaProtocolException($"Broker {connection.NodeId} at {connection.Endpoint} closed the connection in the middle of a response ({buffer.Length} bytes of an incomplete frame)", "size", 0);
                    break;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (KafkaProtocolException exception)
        {
            reason = exception;
        }
        catch (Exception exception)
        {
            reason = new KafkaConnectionException($"Reading from broker {connection.NodeId} at {connection.Endpoint} failed: {exception.Message}", exception);
        }
        connection.Fault(reason);
    }

    private void Dispatch(in ReadOnlySequence<byte> frame)
    {
        KafkaTelemetry.BytesReceived.Add(frame.Length + Framing.SizePrefixLength);
        if (frame.Length < 4)
            throw new KafkaProtocolException($"Response frame of {frame.Length} bytes from broker {connection.NodeId} is too short for a correlation id", "correlation_id", 0);
        Span<byte> prefix = stackalloc byte[4];
        frame.Slice(0, 4).CopyTo(prefix);
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(prefix);

        PendingRequest pending = connection.TakeAwaiting(correlationId);
        try
        {
            if (pending.IsDone) return;
            ResponseFrame copy = ResponseFrame.CopyOf(frame);
            if (!pending.TryComplete(copy)) copy.Return();
        }
        finally
        {
            pending.Release();
        }
    }
}
