using System.Buffers;
using KafkaNative.Protocol;

namespace KafkaNative.Sim;

/// <summary>
/// One client request on its way through a broker: who sent it, the decoded body, and the response
/// the connection is waiting for. Handlers answer through <see cref="Respond"/>, possibly later
/// (long-poll fetches, acks=-1 produces, group joins).
/// </summary>
internal sealed class RequestContext(ApiDescriptor api, short apiVersion, int correlationId, string? clientId, string clientHost, object request)
{
    private readonly TaskCompletionSource<IKafkaMessage?> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ApiDescriptor Api { get; } = api;

    public short ApiVersion { get; } = apiVersion;

    public int CorrelationId { get; } = correlationId;

    public string? ClientId { get; } = clientId;

    public string ClientHost { get; } = clientHost;

    public object Request { get; } = request;

    /// <summary>When the request was read, for injected latency.</summary>
    public long ReceivedAt { get; init; }

    /// <summary>
    /// The pooled buffer the request was decoded from (its byte fields, a Produce's records included, are
    /// slices of it). It goes back to the pool when the request is answered, by which time its handler has
    /// copied what it keeps; never when the session ends, since the broker may still be handling the request.
    /// </summary>
    public byte[]? RentedFrame { get; init; }

    /// <summary>Set when the connection must close after this request (acks=0 produce errors, failed authentication).</summary>
    public bool CloseAfterResponse { get; set; }

    /// <summary>A bare SASL token to send instead of a Kafka response (after a v0 SaslHandshake).</summary>
    public byte[]? RawResponse { get; set; }

    public Task<IKafkaMessage?> Response => _response.Task;

    public bool IsAnswered => _response.Task.IsCompleted;

    /// <summary>Answers the request (the first answer counts); null sends nothing (acks=0 produce).</summary>
    public void Respond(IKafkaMessage? response)
    {
        // Only the first answer gets here, so the frame goes back once.
        if (!_response.TrySetResult(response)) return;
        if (RentedFrame is { } frame) ArrayPool<byte>.Shared.Return(frame);
    }

    /// <summary>Answers with <paramref name="error"/> everywhere the response carries one.</summary>
    public void Fail(ErrorCode error) => Respond(Api.ErrorResponse(Request, error, ApiVersion));
}
