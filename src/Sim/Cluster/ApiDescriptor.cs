using KafkaNative.Protocol;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Sim;

/// <summary>Reads a request body of a given version.</summary>
internal delegate object RequestDecoder(ref KafkaReader reader, short version);

/// <summary>
/// One API the brokers serve: the versions advertised in ApiVersions, how to decode its requests,
/// which handler answers them, and how to build a response carrying only an error (for injected
/// faults and handler failures, like Kafka's getErrorResponse).
/// </summary>
internal sealed class ApiDescriptor
{
    private readonly Func<short, short> _requestHeaderVersion;
    private readonly Func<short, short> _responseHeaderVersion;
    private readonly Func<object, ErrorCode, short, IKafkaMessage> _errorResponse;

    private ApiDescriptor(ApiKey key, short minVersion, short maxVersion, Func<short, short> requestHeaderVersion, Func<short, short> responseHeaderVersion,
        RequestDecoder decode, Action<SimulatedBroker, RequestContext>? handle, Func<object, ErrorCode, short, IKafkaMessage> errorResponse)
    {
        Key = key;
        MinVersion = minVersion;
        MaxVersion = maxVersion;
        _requestHeaderVersion = requestHeaderVersion;
        _responseHeaderVersion = responseHeaderVersion;
        Decode = decode;
        Handle = handle;
        _errorResponse = errorResponse;
    }

    public ApiKey Key { get; }

    public short MinVersion { get; }

    public short MaxVersion { get; }

    public RequestDecoder Decode { get; }

    /// <summary>The handler run on the broker actor; null for APIs the connection answers itself (ApiVersions, SASL).</summary>
    public Action<SimulatedBroker, RequestContext>? Handle { get; }

    public bool Supports(short version) => version >= MinVersion && version <= MaxVersion;

    public short RequestHeaderVersion(short version) => _requestHeaderVersion(version);

    public short ResponseHeaderVersion(short version) => _responseHeaderVersion(version);

    public IKafkaMessage ErrorResponse(object request, ErrorCode error, short version) => _errorResponse(request, error, version);

    public static ApiDescriptor Create<TRequest, TResponse>(short minVersion, short maxVersion,
        Action<SimulatedBroker, RequestContext, TRequest>? handle, Func<TRequest, ErrorCode, short, TResponse> errorResponse)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        if (minVersion < TRequest.LowestSupportedVersion || maxVersion > TRequest.HighestSupportedVersion)
            throw new ArgumentOutOfRangeException(nameof(maxVersion), $"{TRequest.ApiKey} versions {minVersion}-{maxVersion} exceed the schema.");
        return new ApiDescriptor(TRequest.ApiKey, minVersion, maxVersion, TRequest.RequestHeaderVersion, TResponse.ResponseHeaderVersion,
            (ref KafkaReader reader, short version) => TRequest.Read(ref reader, version),
            handle is null ? null : (broker, context) => handle(broker, context, (TRequest)context.Request),
            (request, error, version) => errorResponse((TRequest)request, error, version));
    }
}
