using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// InitProducerId: without a transactional id, a fresh producer id at epoch 0 each time (idempotent producers);
/// with one, the transaction coordinator's producer id for it at the next epoch, fencing older instances.
/// </summary>
internal static class InitProducerIdHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is null)
        {
            context.Respond(new InitProducerIdResponse { ErrorCode = (short)ErrorCode.None, ProducerId = broker.Cluster.NextProducerId(), ProducerEpoch = 0 });
            return;
        }
        (ErrorCode error, long producerId, short epoch) = broker.Transactions.InitProducerId(
            request.TransactionalId, request.TransactionTimeoutMs, request.ProducerId, request.ProducerEpoch);
        context.Respond(new InitProducerIdResponse
        {
            ErrorCode = (short)TransactionErrors.ForVersion(error, context.ApiVersion, producerFencedSince: 4),
            ProducerId = producerId,
            ProducerEpoch = epoch,
        });
    }

    public static InitProducerIdResponse Error(InitProducerIdRequest request, ErrorCode error, short version) =>
        new() { ErrorCode = (short)error, ProducerId = -1, ProducerEpoch = -1 };
}
