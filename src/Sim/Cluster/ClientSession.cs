using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;
using KafkaNative.Sim.Handlers;
using KafkaNative.Sim.Sasl;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Sim;

/// <summary>
/// One client session: reads frames from its <see cref="SessionLink"/> (a socket or in-memory pipes),
/// decodes each request, applies the broker's faults and the SASL gate, and posts it to the broker actor,
/// one request at a time as Kafka does; a <see cref="ConnectionWriter"/> writes the responses back in request order. Input that breaks the
/// protocol closes this session only, with a log line.
/// </summary>
internal sealed class ClientSession(long id, SessionLink link, SimulatedBroker broker)
{
    /// <summary>Answered requests whose responses wait to be written (latency faults hold them back) before the reader stops reading.</summary>
    private const int MaxInFlight = 256;
    private const int HeaderPrefixLength = 8; // api key, api version, correlation id

    private readonly CancellationTokenSource _lifetime = new();
    private readonly string _clientHost = link.ClientHost;
    private readonly ILogger _logger = broker.Logger;
    private SaslSession? _sasl;

    public long Id { get; } = id;

    /// <summary>Closes the session (DropConnections, broker stop, or a fatal response).</summary>
    public void Close()
    {
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes the session abortively: the client gets a connection reset, as from a crashed broker.</summary>
    public void Reset()
    {
        link.ResetOnClose();
        Close();
    }

    public async Task RunAsync()
    {
        CancellationToken ct = _lifetime.Token;
        var pending = Channel.CreateBounded<RequestContext>(new BoundedChannelOptions(MaxInFlight) { SingleReader = true, SingleWriter = true });
        using CancellationTokenRegistration interruptOnClose = ct.Register(link.Interrupt);
        Task writing = Task.CompletedTask;
        try
        {
            IDuplexPipe pipe = await link.OpenAsync(ct).ConfigureAwait(false);
            if (broker.Cluster.Sasl is SaslCredentials credentials) _sasl = new SaslSession(credentials, broker.Cluster.Options.SaslSessionLifetimeMs);
            var writer = new ConnectionWriter(pipe.Output, broker, this, pending.Reader);
            writing = writer.RunAsync(ct);
            try
            {
                await ReadAsync(pipe.Input, pending.Writer, ct).ConfigureAwait(false);
            }
            finally
            {
                pending.Writer.TryComplete();
            }
            await writing.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            _logger.LogDebug("Session {Session} on broker {Broker} from {Client} ended: {Reason}", Id, broker.Id, _clientHost, ex.Message);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Session {Session} on broker {Broker} failed", Id, broker.Id);
        }
        finally
        {
            Close();
            // The writer stops on the cancellation; the link's pipes are closed only once it has.
            await writing.ConfigureAwait(false);
            await link.CloseAsync().ConfigureAwait(false);
            _lifetime.Dispose();
        }
    }

    private async Task ReadAsync(PipeReader reader, ChannelWriter<RequestContext> pending, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(ct).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                try
                {
                    while (Framing.TryReadFrame(ref buffer, broker.Cluster.Options.MaxRequestSize, out ReadOnlySequence<byte> frame))
                    {
                        RequestContext? context = _sasl is { ExpectsRawTokens: true } ? RawSaslToken(frame) : Decode(frame);
                        if (context is null) return;
                        await pending.WriteAsync(context, ct).ConfigureAwait(false);
                        if (!await DispatchAsync(context, ct).ConfigureAwait(false)) return;
                        // Kafka mutes a connection from reading a request until it has answered it: a client
                        // may pipeline, but its requests are handled one at a time, in order.
                        if (!context.IsAnswered) await context.Response.WaitAsync(ct).ConfigureAwait(false);
                    }
                }
                catch (KafkaProtocolException ex)
                {
                    _logger.LogWarning("Session {Session} on broker {Broker} from {Client}: closing on bad frame: {Reason}", Id, broker.Id, _clientHost, ex.Message);
                    return;
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                        _logger.LogInformation("Session {Session} on broker {Broker}: client disconnected mid-request ({Bytes} bytes unread)", Id, broker.Id, buffer.Length);
                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A bare SASL token after a v0 handshake: answered with a bare token, or the session closes on failure.</summary>
    private RequestContext RawSaslToken(ReadOnlySequence<byte> frame)
    {
        byte[] token = frame.ToArray();
        (ErrorCode error, string? message, byte[] response, _) = _sasl!.Authenticate(token);
        var context = new RequestContext(ApiTable.Find((short)ApiKey.SaslAuthenticate)!, 0, 0, null, _clientHost, token) { ReceivedAt = broker.Cluster.NowMs };
        if (error == ErrorCode.None)
        {
            context.RawResponse = response;
        }
        else
        {
            _logger.LogWarning("Session {Session} on broker {Broker}: authentication failed: {Reason}", Id, broker.Id, message);
            context.CloseAfterResponse = true;
        }
        context.Respond(null);
        return context;
    }

    /// <summary>Decodes one frame; null closes the session (unknown API, unsupported version, malformed request).</summary>
    private RequestContext? Decode(ReadOnlySequence<byte> frame)
    {
        if (frame.Length < HeaderPrefixLength)
        {
            _logger.LogWarning("Session {Session} on broker {Broker}: closing on a {Length}-byte frame, too short for a request header", Id, broker.Id, frame.Length);
            return null;
        }
        int length = (int)frame.Length;
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        frame.CopyTo(rented);
        short apiKey = BinaryPrimitives.ReadInt16BigEndian(rented);
        short apiVersion = BinaryPrimitives.ReadInt16BigEndian(rented.AsSpan(2));
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(rented.AsSpan(4));
        broker.Counters.RequestReceived(apiKey, length + 4);

        ApiDescriptor? api = ApiTable.Find(apiKey);
        if (api is null || !api.Supports(apiVersion))
        {
            if (api is not null && api.Key == ApiKey.ApiVersions)
            {
                // KIP-511: answer at v0 with the supported range so the client can downgrade.
                ArrayPool<byte>.Shared.Return(rented);
                var request = new ApiVersionsRequest();
                var unsupported = new RequestContext(api, 0, correlationId, null, _clientHost, request) { ReceivedAt = broker.Cluster.NowMs };
                unsupported.Respond(ApiVersionsHandler.Unsupported());
                return unsupported;
            }
            ArrayPool<byte>.Shared.Return(rented);
            _logger.LogWarning("Session {Session} on broker {Broker}: closing on {What} (api key {ApiKey}, version {Version})",
                Id, broker.Id, api is null ? "unknown API" : "unsupported version", apiKey, apiVersion);
            return null;
        }
        try
        {
            var reader = new KafkaReader(rented.AsMemory(0, length));
            RequestHeader header = RequestHeader.Read(ref reader, api.RequestHeaderVersion(apiVersion));
            object body = api.Decode(ref reader, apiVersion);
            return new RequestContext(api, apiVersion, correlationId, header.ClientId, _clientHost, body) { RentedFrame = rented, ReceivedAt = broker.Cluster.NowMs };
        }
        catch (Exception ex) when (ex is KafkaProtocolException or UnsupportedVersionException)
        {
            ArrayPool<byte>.Shared.Return(rented);
            _logger.LogWarning("Session {Session} on broker {Broker}: closing on malformed {Api} v{Version}: {Reason}", Id, broker.Id, api.Key, apiVersion, ex.Message);
            return null;
        }
    }

    /// <summary>Sends a decoded request on its way; false closes the session.</summary>
    private async ValueTask<bool> DispatchAsync(RequestContext context, CancellationToken ct)
    {
        if (context.IsAnswered) return true;
        ApiKey api = context.Api.Key;
        if (_sasl is not null && !_sasl.Allows(api, out string? refusal))
        {
            _logger.LogWarning("Session {Session} on broker {Broker}: closing: {Reason}", Id, broker.Id, refusal);
            context.Respond(null);
            return false;
        }
        await broker.Faults.WhileStalled(ct).ConfigureAwait(false);
        if (broker.Cluster.Errors.TryInject(broker.Id, api, out ErrorCode injected))
        {
            context.Fail(injected);
            return true;
        }
        switch (api)
        {
            case ApiKey.ApiVersions:
                context.Respond(ApiVersionsHandler.Handle((ApiVersionsRequest)context.Request, context.ApiVersion, broker.Cluster.Options.TransactionVersion));
                return true;
            case ApiKey.SaslHandshake:
                context.Respond(SaslHandshakeHandler.Handle(_sasl, (SaslHandshakeRequest)context.Request, context.ApiVersion));
                return true;
            case ApiKey.SaslAuthenticate:
                (SaslAuthenticateResponse response, bool close) = SaslAuthenticateHandler.Handle(_sasl, (SaslAuthenticateRequest)context.Request, context.ApiVersion);
                if (close)
                {
                    _logger.LogWarning("Session {Session} on broker {Broker}: authentication failed: {Reason}", Id, broker.Id, response.ErrorMessage);
                    context.CloseAfterResponse = true;
                }
                context.Respond(response);
                return true;
        }
        if (!await broker.PostAsync(new ClientRequest(context), ct).ConfigureAwait(false))
        {
            context.Respond(null);
            return false;
        }
        return true;
    }
}
