using KafkaNative.Client;
using KafkaNative.Fuzz.Engine;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Fuzz.Targets;

/// <summary>
/// A target per response the client decodes. Input: one byte choosing the version (among those the
/// client may send), then the frame as BrokerConnection reads it: response header, body, nothing after.
/// DecodeBody is private there, so these lines mirror it; ApiVersions goes through the connection's own decoder.
/// </summary>
internal static class ResponseTargets
{
    // The versions each target reads, filled as the targets are built (field initializers run in order).
    private static readonly Dictionary<ApiKey, (short Lowest, short Highest)> Ranges = [];

    private static readonly FuzzTarget[] Targets =
    [
        Response<ApiVersionsRequest, ApiVersionsResponse>(),
        Response<MetadataRequest, MetadataResponse>(),
        Response<ProduceRequest, ProduceResponse>(),
        Response<FetchRequest, FetchResponse>(RecordTargets.ReadFetchRecords),
        Response<ListOffsetsRequest, ListOffsetsResponse>(),
        Response<FindCoordinatorRequest, FindCoordinatorResponse>(),
        Response<JoinGroupRequest, JoinGroupResponse>(),
        Response<SyncGroupRequest, SyncGroupResponse>(),
        Response<HeartbeatRequest, HeartbeatResponse>(),
        Response<LeaveGroupRequest, LeaveGroupResponse>(),
        Response<OffsetCommitRequest, OffsetCommitResponse>(),
        Response<OffsetFetchRequest, OffsetFetchResponse>(),
        Response<ListGroupsRequest, ListGroupsResponse>(),
        Response<DescribeGroupsRequest, DescribeGroupsResponse>(),
        Response<DescribeClusterRequest, DescribeClusterResponse>(),
        Response<DescribeConfigsRequest, DescribeConfigsResponse>(),
        Response<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(),
        Response<CreateTopicsRequest, CreateTopicsResponse>(),
        Response<DeleteTopicsRequest, DeleteTopicsResponse>(),
        Response<CreatePartitionsRequest, CreatePartitionsResponse>(),
        Response<DeleteRecordsRequest, DeleteRecordsResponse>(),
        Response<DeleteGroupsRequest, DeleteGroupsResponse>(),
        Response<OffsetDeleteRequest, OffsetDeleteResponse>(),
        Response<DescribeAclsRequest, DescribeAclsResponse>(),
        Response<CreateAclsRequest, CreateAclsResponse>(),
        Response<DeleteAclsRequest, DeleteAclsResponse>(),
        Response<InitProducerIdRequest, InitProducerIdResponse>(),
        Response<SaslHandshakeRequest, SaslHandshakeResponse>(),
        Response<SaslAuthenticateRequest, SaslAuthenticateResponse>(),
    ];

    public static IEnumerable<FuzzTarget> All() => Targets;

    /// <summary>The selector byte that makes a response target read <paramref name="version"/>; null outside the client's versions.</summary>
    public static byte? Selector(ApiKey api, short version) =>
        Ranges.TryGetValue(api, out (short Lowest, short Highest) range) && version >= range.Lowest && version <= range.Highest
            ? (byte)(version - range.Lowest)
            : null;

    /// <summary>The target's name: "response-" and the API in kebab case (response-list-offsets).</summary>
    public static string NameOf(ApiKey api) => "response-" + TargetNames.Kebab(api.ToString());

    private static FuzzTarget Response<TRequest, TResponse>(Action<TResponse>? walk = null)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>, new()
    {
        short lowest = ClientApiVersions.Lowest<TRequest>();
        short highest = ClientApiVersions.Highest<TRequest>();
        Ranges[TResponse.ApiKey] = (lowest, highest);
        return new FuzzTarget(
            NameOf(TResponse.ApiKey),
            input =>
            {
                if (input.Length == 0) return false;
                short version = MessageBytes.Version(input[0], lowest, highest);
                if (TResponse.ApiKey == ApiKey.ApiVersions)
                {
                    // The connection's own decoder, with its KIP-511 retry at v0.
                    ResponseDecoder.DecodeApiVersions(input.AsSpan(1), version);
                    return true;
                }
                // SendLeasedAsync (fetches) reads zero-copy from memory; SendAsync reads from a span and copies bytes fields.
                KafkaReader reader = walk is null ? new KafkaReader(input.AsSpan(1)) : new KafkaReader(input.AsMemory(1));
                ResponseHeader.Read(ref reader, TResponse.ResponseHeaderVersion(version));
                TResponse response = TResponse.Read(ref reader, version);
                reader.EnsureEnd($"{TResponse.ApiKey} response v{version}");
                walk?.Invoke(response);
                return true;
            },
            () => Enumerable.Range(0, highest - lowest + 1).Select(offset =>
            {
                var version = (short)(lowest + offset);
                byte[] frame = MessageBytes.Write((new ResponseHeader { CorrelationId = 7 }, TResponse.ResponseHeaderVersion(version)), (new TResponse(), version));
                return MessageBytes.WithVersionSelector(offset, frame);
            }));
    }
}
