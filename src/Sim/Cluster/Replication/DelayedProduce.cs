using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Sim.Replication;

/// <summary>
/// An acks=-1 produce waiting until every partition it wrote is on all in-sync replicas, or its
/// timeout passes (then the partitions still waiting answer REQUEST_TIMED_OUT), as Kafka's produce purgatory.
/// </summary>
internal sealed class DelayedProduce(RequestContext context, ProduceResponse response, long deadline, Action<ProduceResponse>? beforeAnswer = null)
{
    private readonly List<ProduceResponse.PartitionProduceResponse> _waiting = new();

    public long Deadline { get; } = deadline;

    public bool IsCompleted => context.IsAnswered;

    public void Wait(ProduceResponse.PartitionProduceResponse partition) => _waiting.Add(partition);

    /// <summary>A partition is settled (replicated, or failed with the error already set on it).</summary>
    public void Settle(ProduceResponse.PartitionProduceResponse partition)
    {
        _waiting.Remove(partition);
        if (_waiting.Count == 0) Answer();
    }

    public void Expire()
    {
        foreach (ProduceResponse.PartitionProduceResponse partition in _waiting) partition.ErrorCode = (short)ErrorCode.RequestTimedOut;
        _waiting.Clear();
        Answer();
    }

    /// <summary>Answers now if nothing waits (every partition settled while the request was handled).</summary>
    public void CompleteIfSettled()
    {
        if (_waiting.Count == 0) Answer();
    }

    private void Answer()
    {
        if (context.IsAnswered) return;
        beforeAnswer?.Invoke(response);
        context.Respond(response);
    }
}
