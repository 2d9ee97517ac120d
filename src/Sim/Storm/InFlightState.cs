namespace KafkaNative.Sim.Storm;

/// <summary>
/// One unit of work a client needs done: a message to deliver or a fetch to make. It stays allocated until
/// every call and request made for it has settled, so its writes can be counted for loss and duplication.
/// </summary>
internal struct Operation
{
    public int Client;
    public int Partition;
    public long StartedAt;
    public long Deadline;
    public int EdgeAttempt;
    public int LiveChains;
    public int PendingRequests;
    public int Writes;
    public bool IsProduce;
    public bool Done;
}

/// <summary>
/// One Kafka-client call made by one edge attempt: a request and its retries. An edge retry starts a new
/// chain; the abandoned chain keeps going on its own, which is the unbudgeted multiplication of retries.
/// </summary>
internal struct SendChain
{
    public int Operation;
    public int EdgeAttempt;
    public int Attempt;
    public int Broker;
    public bool AwaitingResponse;
}

/// <summary>What a broker answered.</summary>
internal enum Outcome : byte
{
    Success,
    NotLeader,
    Throttled,
}

/// <summary>A request on the wire or at a broker, from send until its answer reaches the client or it is dropped.</summary>
internal struct BrokerRequest
{
    public int Operation;
    public int Chain;
    public int ChainGeneration;
    public int Attempt;
    public int Broker;
    public int BrokerIncarnation;
    public int Partition;
    public int ClientZone;
    public long Deadline;
    public bool IsProduce;
    public Outcome Outcome;
}
