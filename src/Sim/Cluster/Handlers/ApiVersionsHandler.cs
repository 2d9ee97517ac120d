using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>ApiVersions: the versions of every API the brokers serve. Answered by the session itself.</summary>
internal static class ApiVersionsHandler
{
    private const string TransactionVersionFeature = "transaction.version";

    /// <summary>
    /// The API versions and the <c>transaction.version</c> feature. As Kafka does, EndTxn v5 (Transactions V2) is
    /// offered only at level 2, and v0-v3 answers leave out supported features whose minimum is 0.
    /// </summary>
    public static ApiVersionsResponse Handle(ApiVersionsRequest request, short version, short transactionVersion) => new()
    {
        ErrorCode = (short)ErrorCode.None,
        ApiKeys = ApiTable.All.Select(api => new ApiVersionsResponse.ApiVersion
        {
            ApiKey = (short)api.Key,
            MinVersion = api.MinVersion,
            MaxVersion = api.Key == ApiKey.EndTxn && transactionVersion < 2 ? Math.Min(api.MaxVersion, (short)4) : api.MaxVersion,
        }).ToList(),
        SupportedFeatures = version >= 4 ? [new ApiVersionsResponse.SupportedFeatureKey { Name = TransactionVersionFeature, MinVersion = 0, MaxVersion = 2 }] : [],
        FinalizedFeaturesEpoch = 0,
        FinalizedFeatures = transactionVersion > 0
            ? [new ApiVersionsResponse.FinalizedFeatureKey { Name = TransactionVersionFeature, MinVersionLevel = transactionVersion, MaxVersionLevel = transactionVersion }]
            : [],
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
