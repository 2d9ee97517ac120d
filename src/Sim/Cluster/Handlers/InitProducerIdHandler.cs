using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Handlers;

/// <summary>
/// InitProducerId for idempotent producers: a fresh producer id at epoch 0 each time, as Kafka does
/// without a transactional id. Transactions are not simulated: a transactional id is refused.
/// </summary>
internal static class InitProducerIdHandler
{
    public static void Handle(SimulatedBroker broker, RequestContext context, InitProducerIdRequest request)
    {
        context.Respond(request.TransactionalId is not null
            ? Error(request, ErrorCode.TransactionalIdAuthorizationFailed, context.ApiVersion)
            : new InitProducerIdResponse { ErrorCode = (short)ErrorCode.None, ProducerId = broker.Cluster.NextProducerId(), ProducerEpoch = 0 });
    }

    public static InitProducerIdResponse Error(InitProducerIdRequest request, ErrorCode error, short version) =>
        new() { ErrorCode = (short)error, ProducerId = -1, ProducerEpoch = -1 };
}
