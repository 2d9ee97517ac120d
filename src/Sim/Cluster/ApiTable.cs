using KafkaNative.Protocol.Messages;
using KafkaNative.Sim.Handlers;

namespace KafkaNative.Sim;

/// <summary>
/// Every API the brokers serve, at the versions they implement, as ApiVersions advertises them.
/// Ranges start where Kafka 4.0 starts them (KIP-896 removed Produce v0-2, Fetch v0-3, ListOffsets v0,
/// OffsetCommit v0-1, OffsetFetch v0, JoinGroup v0-1, CreateTopics v0-1, DeleteTopics v0,
/// DescribeConfigs v0, OffsetForLeaderEpoch v0-1 and the ACL APIs' v0) and reach the newest versions, flexible ones included.
/// </summary>
internal static class ApiTable
{
    private static readonly ApiDescriptor?[] ByKey = Build();

    public static IEnumerable<ApiDescriptor> All => ByKey.OfType<ApiDescriptor>();

    public static ApiDescriptor? Find(short apiKey) => apiKey >= 0 && apiKey < ByKey.Length ? ByKey[apiKey] : null;

    private static ApiDescriptor?[] Build()
    {
        ApiDescriptor[] apis =
        [
            ApiDescriptor.Create<ProduceRequest, ProduceResponse>(3, 11, ProduceHandler.Handle, ProduceHandler.Error),
            ApiDescriptor.Create<FetchRequest, FetchResponse>(4, 17, FetchHandler.Handle, FetchHandler.Error),
            ApiDescriptor.Create<ListOffsetsRequest, ListOffsetsResponse>(1, 10, ListOffsetsHandler.Handle, ListOffsetsHandler.Error),
            ApiDescriptor.Create<MetadataRequest, MetadataResponse>(0, 12, MetadataHandler.Handle, MetadataHandler.Error),
            // KIP-320's position validation; Kafka 4.0 removed v0-1 (KIP-896).
            ApiDescriptor.Create<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(2, 4, OffsetForLeaderEpochHandler.Handle, OffsetForLeaderEpochHandler.Error),
            ApiDescriptor.Create<OffsetCommitRequest, OffsetCommitResponse>(2, 9, OffsetCommitHandler.Handle, OffsetCommitHandler.Error),
            ApiDescriptor.Create<OffsetFetchRequest, OffsetFetchResponse>(1, 9, OffsetFetchHandler.Handle, OffsetFetchHandler.Error),
            ApiDescriptor.Create<FindCoordinatorRequest, FindCoordinatorResponse>(0, 6, FindCoordinatorHandler.Handle, FindCoordinatorHandler.Error),
            ApiDescriptor.Create<JoinGroupRequest, JoinGroupResponse>(2, 9, JoinGroupHandler.Handle, JoinGroupHandler.Error),
            ApiDescriptor.Create<HeartbeatRequest, HeartbeatResponse>(0, 4, HeartbeatHandler.Handle, HeartbeatHandler.Error),
            ApiDescriptor.Create<LeaveGroupRequest, LeaveGroupResponse>(0, 5, LeaveGroupHandler.Handle, LeaveGroupHandler.Error),
            ApiDescriptor.Create<SyncGroupRequest, SyncGroupResponse>(0, 5, SyncGroupHandler.Handle, SyncGroupHandler.Error),
            ApiDescriptor.Create<DescribeGroupsRequest, DescribeGroupsResponse>(0, 5, DescribeGroupsHandler.Handle, DescribeGroupsHandler.Error),
            ApiDescriptor.Create<ListGroupsRequest, ListGroupsResponse>(0, 5, ListGroupsHandler.Handle, ListGroupsHandler.Error),
            // After SaslHandshake v0 the SASL tokens travel as bare size-prefixed frames; v1 wraps them in SaslAuthenticate.
            ApiDescriptor.Create<SaslHandshakeRequest, SaslHandshakeResponse>(0, 1, null, SaslHandshakeHandler.Error),
            ApiDescriptor.Create<ApiVersionsRequest, ApiVersionsResponse>(0, 4, null, ApiVersionsHandler.Error),
            ApiDescriptor.Create<CreateTopicsRequest, CreateTopicsResponse>(2, 7, CreateTopicsHandler.Handle, CreateTopicsHandler.Error),
            ApiDescriptor.Create<DeleteTopicsRequest, DeleteTopicsResponse>(1, 6, DeleteTopicsHandler.Handle, DeleteTopicsHandler.Error),
            ApiDescriptor.Create<DeleteRecordsRequest, DeleteRecordsResponse>(0, 2, DeleteRecordsHandler.Handle, DeleteRecordsHandler.Error),
            ApiDescriptor.Create<InitProducerIdRequest, InitProducerIdResponse>(0, 5, InitProducerIdHandler.Handle, InitProducerIdHandler.Error),
            // Transactions (KIP-98): AddPartitionsToTxn in its client form only (v4+ batches ids, broker to broker); EndTxn v5 is Transactions V2 (KIP-890)
            // (KIP-890's epoch bump per transaction). The v4s only allow TRANSACTION_ABORTABLE, which the Sim never answers.
            ApiDescriptor.Create<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(0, 3, AddPartitionsToTxnHandler.Handle, AddPartitionsToTxnHandler.Error),
            ApiDescriptor.Create<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>(0, 4, AddOffsetsToTxnHandler.Handle, AddOffsetsToTxnHandler.Error),
            ApiDescriptor.Create<EndTxnRequest, EndTxnResponse>(0, 5, EndTxnHandler.Handle, EndTxnHandler.Error),
            ApiDescriptor.Create<TxnOffsetCommitRequest, TxnOffsetCommitResponse>(0, 4, TxnOffsetCommitHandler.Handle, TxnOffsetCommitHandler.Error),
            ApiDescriptor.Create<DescribeTransactionsRequest, DescribeTransactionsResponse>(0, 0, DescribeTransactionsHandler.Handle, DescribeTransactionsHandler.Error),
            ApiDescriptor.Create<ListTransactionsRequest, ListTransactionsResponse>(0, 1, ListTransactionsHandler.Handle, ListTransactionsHandler.Error),
            ApiDescriptor.Create<DescribeConfigsRequest, DescribeConfigsResponse>(1, 4, DescribeConfigsHandler.Handle, DescribeConfigsHandler.Error),
            ApiDescriptor.Create<SaslAuthenticateRequest, SaslAuthenticateResponse>(0, 2, null, SaslAuthenticateHandler.Error),
            ApiDescriptor.Create<CreatePartitionsRequest, CreatePartitionsResponse>(0, 3, CreatePartitionsHandler.Handle, CreatePartitionsHandler.Error),
            ApiDescriptor.Create<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(0, 1, IncrementalAlterConfigsHandler.Handle, IncrementalAlterConfigsHandler.Error),
            ApiDescriptor.Create<DeleteGroupsRequest, DeleteGroupsResponse>(0, 2, DeleteGroupsHandler.Handle, DeleteGroupsHandler.Error),
            ApiDescriptor.Create<OffsetDeleteRequest, OffsetDeleteResponse>(0, 0, OffsetDeleteHandler.Handle, OffsetDeleteHandler.Error),
            // KIP-848 consumer-protocol groups. ConsumerGroupHeartbeat v1 (regex subscriptions, client-chosen member ids) is
            // stable since Kafka 4.0, though the schemas here still mark it unstable; the Sim serves both, as Kafka 4.0 does.
            ApiDescriptor.Create<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>(0, 1, ConsumerGroupHeartbeatHandler.Handle, ConsumerGroupHeartbeatHandler.Error),
            ApiDescriptor.Create<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>(0, 0, ConsumerGroupDescribeHandler.Handle, ConsumerGroupDescribeHandler.Error),
            // ACLs are stored, not enforced (see AclStore). Kafka 4.0 dropped v0 of the three (KIP-896).
            ApiDescriptor.Create<DescribeAclsRequest, DescribeAclsResponse>(1, 3, DescribeAclsHandler.Handle, DescribeAclsHandler.Error),
            ApiDescriptor.Create<CreateAclsRequest, CreateAclsResponse>(1, 3, CreateAclsHandler.Handle, CreateAclsHandler.Error),
            ApiDescriptor.Create<DeleteAclsRequest, DeleteAclsResponse>(1, 3, DeleteAclsHandler.Handle, DeleteAclsHandler.Error),
        ];
        var byKey = new ApiDescriptor?[apis.Max(a => (int)a.Key) + 1];
        foreach (ApiDescriptor api in apis) byKey[(int)api.Key] = api;
        return byKey;
    }
}
