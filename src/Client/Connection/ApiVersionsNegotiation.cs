using KafkaNative.Client.Diagnostics;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace KafkaNative.Client;

/// <summary>The first exchange on a connection: which API versions the broker supports (KIP-511 fallback included).</summary>
internal static class ApiVersionsNegotiation
{
    private static readonly string ClientSoftwareVersion =
        typeof(BrokerConnection).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static async Task<BrokerApiVersions> NegotiateAsync(BrokerConnection connection, ILogger logger, CancellationToken cancellationToken)
    {
        short version = ClientApiVersions.Highest<ApiVersionsRequest>();
        for (int attempt = 0; ; attempt++)
        {
            var request = new ApiVersionsRequest { ClientSoftwareName = "kafkanative", ClientSoftwareVersion = ClientSoftwareVersion };
            ResponseFrame frame = await connection.ExchangeAsync(request, version, null, direct: false, cancellationToken).ConfigureAwait(false);
            ApiVersionsResponse response;
            try
            {
                response = ResponseDecoder.DecodeApiVersions(frame.Span, version);
            }
            catch (KafkaProtocolException exception)
            {
                connection.Fault(exception);
                throw;
            }
            finally
            {
                frame.Return();
            }

            if (response.ErrorCode == (short)ErrorCode.UnsupportedVersion && attempt == 0)
            {
                // KIP-511: the broker names the ApiVersions range it supports; retry at its highest.
                short fallback = 0;
                foreach (ApiVersionsResponse.ApiVersion api in response.ApiKeys)
                    if (api.ApiKey == (short)ApiKey.ApiVersions) fallback = Math.Min(api.MaxVersion, (short)(version - 1));
                Log.ApiVersionsFallback(logger, connection.NodeId, version, fallback);
                version = Math.Max(fallback, (short)0);
                continue;
            }
            KafkaErrorException.ThrowIfError(response.ErrorCode, $"ApiVersions v{version} to broker {connection.NodeId} at {connection.Endpoint}");
            var versions = new BrokerApiVersions(response);
            Log.VersionsNegotiated(logger, connection.NodeId, versions.Count, version);
            return versions;
        }
    }
}
