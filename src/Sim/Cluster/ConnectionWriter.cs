using System.IO.Pipelines;
using System.Threading.Channels;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>
/// Writes a session's responses in request order. Each response is framed into a pooled buffer and
/// responses that are ready together go out in one write to the session's pipe. Injected latency delays each
/// response until that long after its request arrived, so pipelined requests are not delayed twice.
/// </summary>
internal sealed class ConnectionWriter(PipeWriter pipe, SimulatedBroker broker, ClientSession connection, ChannelReader<RequestContext> pending)
{
    private const int FlushThreshold = 256 * 1024;

    public async Task RunAsync(CancellationToken ct)
    {
        using var output = new PooledBufferWriter(64 * 1024);
        try
        {
            while (await pending.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (pending.TryPeek(out RequestContext? next))
                {
                    if (output.WrittenCount > 0 && (!next.Response.IsCompleted || output.WrittenCount >= FlushThreshold || broker.Faults.Latency > TimeSpan.Zero))
                    {
                        await FlushAsync(output, ct).ConfigureAwait(false);
                    }
                    pending.TryRead(out RequestContext? context);
                    IKafkaMessage? response = await context!.Response.WaitAsync(ct).ConfigureAwait(false);
                    await DelayForLatencyAsync(context, ct).ConfigureAwait(false);
                    if (response is not null) Frame(output, context, response);
                    else if (context.RawResponse is byte[] token) FrameRaw(output, token);
                    if (context.CloseAfterResponse)
                    {
                        await FlushAsync(output, ct).ConfigureAwait(false);
                        connection.Close();
                        return;
                    }
                }
                await FlushAsync(output, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            connection.Close();
        }
        catch (Exception ex)
        {
            broker.Logger.LogError(ex, "Session {Session} on broker {Broker}: could not write a response", connection.Id, broker.Id);
            connection.Close();
        }
    }

    private static void Frame(PooledBufferWriter output, RequestContext context, IKafkaMessage response)
    {
        int start = Framing.BeginFrame(output);
        var writer = new KafkaWriter(output);
        new ResponseHeader { CorrelationId = context.CorrelationId }.Write(ref writer, context.Api.ResponseHeaderVersion(context.ApiVersion));
        response.Write(ref writer, context.ApiVersion);
        writer.Flush();
        Framing.EndFrame(output, start);
    }

    private static void FrameRaw(PooledBufferWriter output, byte[] token)
    {
        int start = Framing.BeginFrame(output);
        output.Write(token);
        Framing.EndFrame(output, start);
    }

    private async Task DelayForLatencyAsync(RequestContext context, CancellationToken ct)
    {
        TimeSpan latency = broker.Faults.Latency;
        if (latency <= TimeSpan.Zero) return;
        long due = context.ReceivedAt + (long)latency.TotalMilliseconds;
        long wait = due - broker.Cluster.NowMs;
        if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), broker.Cluster.Options.TimeProvider, ct).ConfigureAwait(false);
    }

    private async Task FlushAsync(PooledBufferWriter output, CancellationToken ct)
    {
        if (output.WrittenCount == 0) return;
        FlushResult result = await pipe.WriteAsync(output.WrittenMemory, ct).ConfigureAwait(false);
        output.Clear();
        // The client closed its end: nobody reads the responses any more.
        if (result.IsCompleted) throw new IOException("The client closed the connection.");
    }
}
