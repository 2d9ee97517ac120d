using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>ApiVersions: the versions of every API the brokers serve. Answered by the session itself.</summary>
internal static class ApiVersionsHandler
{
    public static ApiVersionsResponse Handle(ApiVersionsRequest request, short version) => new()
    {
        ErrorCode = (short)ErrorCode.None,
        ApiKeys = ApiTable.All.Select(api => new ApiVersionsResponse.ApiVersion
        {
            ApiKey = (short)api.Key,
            MinVersion = api.MinVersion,
            MaxVersion = api.MaxVersion,
        }).ToList(),
    };

    /// <summary>KIP-511: an ApiVersions request of a version the broker does not know gets UNSUPPORTED_VERSION and the ApiVersions range, at v0.</summary>
    public static ApiVersionsResponse Unsupported()
    {
        ApiDescriptor self = ApiTable.Find((short)ApiKey.ApiVersions)!;
        return new ApiVersionsResponse
        {
            ErrorCode = (short)ErrorCode.UnsupportedVersion,
            ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = self.MinVersion, MaxVersion = self.MaxVersion }],
        };
    }

    public static ApiVersionsResponse Error(ApiVersionsRequest request, ErrorCode error, short version) => new() { ErrorCode = (short)error };
}
