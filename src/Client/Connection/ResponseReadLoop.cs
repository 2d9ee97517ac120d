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
/// <remarks>
/// A frame that has not fully arrived is copied into its pooled buffer as its bytes come and consumed
/// from the pipe, so the pipe never holds a whole large response beside its copy: a reader that waited
/// for whole frames would examine, not consume, and a pipe lets its writer run on past its pause
/// threshold while the reader examines everything it holds.
/// </remarks>
internal sealed class ResponseReadLoop(BrokerConnection connection, InFlightRequests inFlight, PipeReader input, int maxResponseSize)
{
    private const int CorrelationIdLength = 4;

    private byte[]? _partial;
    private int _partialLength;
    private int _partialFilled;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Exception reason;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (_partial is not null) ContinuePartial(ref buffer);
                if (_partial is null)
                {
                    while (Framing.TryReadFrame(ref buffer, maxResponseSize, out ReadOnlySequence<byte> frame))
                        Dispatch(ResponseFrame.CopyOf(frame));
                    if (buffer.Length > Framing.SizePrefixLength) StartPartial(ref buffer);
                }

                if (result.IsCompleted)
                {
                    long unread = buffer.Length + _partialFilled;
                    reason = unread == 0
                        ? new KafkaConnectionException($"Broker {connection.NodeId} at {connection.Endpoint} closed the connection.")
                        : new KafkaProtocolException($"Broker {connection.NodeId} at {connection.Endpoint} closed the connection in the middle of a response ({unread} bytes of an incomplete frame)", "size", 0);
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
        finally
        {
            if (_partial is not null) ArrayPool<byte>.Shared.Return(_partial);
            _partial = null;
        }
        connection.Fault(reason);
    }

    /// <summary>Takes the size prefix and the bytes so far of a frame that has not fully arrived (TryReadFrame checked the size).</summary>
    private void StartPartial(ref ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[Framing.SizePrefixLength];
        buffer.Slice(0, Framing.SizePrefixLength).CopyTo(prefix);
        _partialLength = BinaryPrimitives.ReadInt32BigEndian(prefix);
        _partial = ArrayPool<byte>.Shared.Rent(_partialLength);
        _partialFilled = 0;
        buffer = buffer.Slice(Framing.SizePrefixLength);
        ContinuePartial(ref buffer);
    }

    private void ContinuePartial(ref ReadOnlySequence<byte> buffer)
    {
        int take = (int)Math.Min(buffer.Length, _partialLength - _partialFilled);
        buffer.Slice(0, take).CopyTo(_partial!.AsSpan(_partialFilled));
        buffer = buffer.Slice(take);
        _partialFilled += take;
        if (_partialFilled < _partialLength) return;
        var frame = new ResponseFrame(_partial!, _partialLength);
        _partial = null;
        _partialFilled = 0;
        Dispatch(frame);
    }

    /// <summary>Hands <paramref name="frame"/> to its request, which then owns it; returns it to the pool otherwise.</summary>
    private void Dispatch(ResponseFrame frame)
    {
        PendingRequest pending;
        try
        {
            KafkaTelemetry.BytesReceived.Add(frame.Length + Framing.SizePrefixLength);
            if (frame.Length < CorrelationIdLength)
                throw new KafkaProtocolException($"Response frame of {frame.Length} bytes from broker {connection.NodeId} is too short for a correlation id", "correlation_id", 0);
            pending = inFlight.Take(BinaryPrimitives.ReadInt32BigEndian(frame.Span));
        }
        catch
        {
            frame.Return();
            throw;
        }
        try
        {
            if (pending.IsDone || !pending.TryComplete(frame)) frame.Return();
        }
        finally
        {
            pending.Release();
        }
    }
}
