namespace KafkaNative.Sim.Groups;

/// <summary>A member of a classic consumer group, with the join or sync request it may be waiting on.</summary>
internal sealed class GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
{
    public string MemberId { get; set; } = memberId;

    /// <summary>Set for static members (KIP-345): the id that survives restarts.</summary>
    public string? GroupInstanceId { get; } = groupInstanceId;

    public string ClientId { get; } = clientId;

    public string ClientHost { get; } = clientHost;

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    /// <summary>Supported protocols in preference order, with their metadata (copied out of the request).</summary>
    public List<(string Name, byte[] Metadata)> Protocols { get; set; } = new();

    public byte[] Assignment { get; set; } = [];

    /// <summary>The JoinGroup waiting for the rebalance to complete.</summary>
    public RequestContext? AwaitingJoin { get; set; }

    /// <summary>The SyncGroup waiting for the leader's assignment.</summary>
    public RequestContext? AwaitingSync { get; set; }

    /// <summary>Whether it sent SyncGroup in the current generation.</summary>
    public bool HasSynced { get; set; }

    /// <summary>When the member expires without a heartbeat.</summary>
    public long SessionDeadline { get; set; }

    public bool SameProtocols(List<(string Name, byte[] Metadata)> protocols) =>
        Protocols.Count == protocols.Count &&
        Protocols.Zip(protocols).All(pair => pair.First.Name == pair.Second.Name && pair.First.Metadata.AsSpan().SequenceEqual(pair.Second.Metadata));

    public byte[]? MetadataFor(string protocol) => Protocols.FirstOrDefault(p => p.Name == protocol).Metadata;
}
