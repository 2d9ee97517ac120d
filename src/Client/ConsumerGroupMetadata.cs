namespace KafkaNative;

/// <summary>
/// A consumer's place in its group when it read the records a transaction consumed: what
/// a transactional producer's <c>SendOffsetsToTransactionAsync</c> needs so that the group
/// coordinator refuses offsets from a member that has since been fenced (KIP-447).
/// </summary>
/// <param name="GroupId">The consumer group.</param>
/// <param name="GenerationId">The group generation the member belongs to, or -1 outside a group.</param>
/// <param name="MemberId">The member id, or empty outside a group.</param>
/// <param name="GroupInstanceId">The static member id, or null.</param>
public sealed record ConsumerGroupMetadata(string GroupId, int GenerationId, string MemberId, string? GroupInstanceId);
