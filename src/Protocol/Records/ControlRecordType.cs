namespace KafkaNative.Protocol.Records;

/// <summary>
/// The type of a control record, read from its key (version int16, type int16). Consumers skip
/// control records; the transaction markers tell them which transactions committed or aborted.
/// </summary>
public enum ControlRecordType : short
{
    /// <summary>A type this library does not know.</summary>
    Unknown = -1,

    /// <summary>Transaction marker: the producer's open transaction was aborted.</summary>
    Abort = 0,

    /// <summary>Transaction marker: the producer's open transaction was committed.</summary>
    Commit = 1,

    /// <summary>KRaft: the partition's leader changed.</summary>
    LeaderChange = 2,

    /// <summary>KRaft: first record of a metadata snapshot.</summary>
    SnapshotHeader = 3,

    /// <summary>KRaft: last record of a metadata snapshot.</summary>
    SnapshotFooter = 4,

    /// <summary>KRaft: the kraft.version feature level.</summary>
    KRaftVersion = 5,

    /// <summary>KRaft: the set of voters.</summary>
    KRaftVoters = 6,
}
