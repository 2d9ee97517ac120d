namespace KafkaNative.Sim.Storm;

/// <summary>
/// Client actors: each starts operations as a Poisson process, and every operation goes through the edge
/// layer (edge timeout and retries) and the Kafka-client layer (request timeout and retries) of the policy.
/// Handlers that may allocate from a pool do so last, so no <c>ref</c> into a pool outlives a resize.
/// </summary>
internal sealed partial class StormSimulation
{
    private void ScheduleArrival(int client)
    {
        double mean = clients.MeanInterarrivalMicros(client);
        if (double.IsInfinity(mean))
            return;
        long at = Now + Math.Max(1, (long)random.NextExponential(mean));
        if (at < loadEnds)
            events.Schedule(at, EventKind.ClientArrival, client);
    }

    private void OnClientArrival(int client)
    {
        ScheduleArrival(client);
        int op = operations.Allocate();
        ref var operation = ref operations[op];
        operation.Client = client;
        operation.IsProduce = clients.IsProducer(client);
        operation.Partition = operation.IsProduce ? random.Next(cluster.PartitionCount) : clients.AssignedPartition[client];
        operation.StartedAt = Now;
        operation.Deadline = policy.DeliveryBudgetMs > 0 ? Now + VirtualClock.FromMilliseconds(policy.DeliveryBudgetMs) : long.MaxValue;
        metrics.OperationStarted();
        StartEdgeAttempt(op);
    }

    private void StartEdgeAttempt(int op)
    {
        ref var operation = ref operations[op];
        operation.LiveChains++;
        if (policy.EdgeTimeoutMs > 0)
        {
            long timeout = Math.Min(Now + VirtualClock.FromMilliseconds(policy.EdgeTimeoutMs), operation.Deadline);
            events.Schedule(timeout, EventKind.EdgeTimeout, op, operations.Generation(op), operation.EdgeAttempt);
        }
        int edgeAttempt = operation.EdgeAttempt;
        int chain = chains.Allocate();
        ref var call = ref chains[chain];
        call.Operation = op;
        call.EdgeAttempt = edgeAttempt;
        SendAttempt(chain);
    }

    private void SendAttempt(int chain)
    {
        ref var call = ref chains[chain];
        ref var operation = ref operations[call.Operation];
        if (Now >= operation.Deadline)
        {
            ChainFailed(chain);
            return;
        }
        int client = operation.Client;
        int broker = cluster.Leader(clients.MetadataVersion[client], operation.Partition);
        if (broker < 0)
        {
            AttemptFailed(chain, broker);
            return;
        }
        if (breakers is not null && !breakers.AllowRequest(client, broker, Now))
        {
            metrics.BreakerRejected();
            // The breaker refused: not the broker's failure, so it does not count against it.
            AttemptFailed(chain, -1);
            return;
        }

        call.Broker = broker;
        call.AwaitingResponse = true;
        operation.PendingRequests++;
        long attemptTimeout = Math.Min(Now + VirtualClock.FromMilliseconds(policy.AttemptTimeoutMs), operation.Deadline);
        events.Schedule(attemptTimeout, EventKind.AttemptTimeout, chain, chains.Generation(chain), call.Attempt);

        int zone = clients.ZoneIndex[client];
        groupBrokerRequests[(zone * 2 + (operation.IsProduce ? 0 : 1)) * brokers.Length + broker]++;
        metrics.RequestSent(!brokers[broker].Alive);
        int req = requests.Allocate();
        ref var request = ref requests[req];
        request.Operation = call.Operation;
        request.Chain = chain;
        request.ChainGeneration = chains.Generation(chain);
        request.Attempt = call.Attempt;
        request.Broker = broker;
        request.Partition = operation.Partition;
        request.ClientZone = zone;
        request.IsProduce = operation.IsProduce;
        request.Deadline = policy.PropagateDeadline ? operation.Deadline : long.MaxValue;
        events.Schedule(Now + NetworkDelay(zone, broker), EventKind.RequestArrival, req);
    }

    private void OnAttemptTimeout(int chain, int generation, int attempt)
    {
        if (chains.Generation(chain) != generation)
            return;
        ref var call = ref chains[chain];
        if (call.Attempt != attempt || !call.AwaitingResponse)
            return;
        metrics.TimedOut();
        AttemptFailed(chain, call.Broker);
    }

    /// <summary>
    /// The current attempt of a call failed (timeout, error answer, no leader or breaker refusal; a broker
    /// index of -1 blames no broker). Retry within the policy and budget, or give the call up.
    /// </summary>
    private void AttemptFailed(int chain, int blamedBroker)
    {
        ref var call = ref chains[chain];
        call.AwaitingResponse = false;
        ref var operation = ref operations[call.Operation];
        int client = operation.Client;
        if (blamedBroker >= 0)
            breakers?.RecordFailure(client, blamedBroker, Now);
        if (policy.Failover && clients.MetadataVersion[client] != cluster.CurrentVersion)
        {
            clients.MetadataVersion[client] = cluster.CurrentVersion;
            metrics.MetadataRefreshed();
        }
        if (call.Attempt < policy.Retries)
        {
            long delay = policy.Backoff.DelayMicros(call.Attempt + 1, random);
            if (Now + delay < operation.Deadline)
            {
                call.Attempt++;
                metrics.Retried();
                if (delay == 0)
                    SendAttempt(chain);
                else
                    events.Schedule(Now + delay, EventKind.RetryAttempt, chain, chains.Generation(chain));
                return;
            }
        }
        ChainFailed(chain);
    }

    private void ChainFailed(int chain)
    {
        int op = chains[chain].Operation;
        int edgeAttempt = chains[chain].EdgeAttempt;
        chains.Release(chain);
        ref var operation = ref operations[op];
        operation.LiveChains--;
        if (!operation.Done && edgeAttempt == operation.EdgeAttempt)
            EdgeAttemptFailed(op);
        else
            TrySettle(op);
    }

    private void OnEdgeTimeout(int op, int generation, int edgeAttempt)
    {
        if (operations.Generation(op) != generation)
            return;
        ref var operation = ref operations[op];
        if (operation.Done || operation.EdgeAttempt != edgeAttempt)
            return;
        metrics.TimedOut();
        EdgeAttemptFailed(op);
    }

    /// <summary>
    /// The edge's current call failed or timed out. Without a budget the abandoned call is not cancelled:
    /// it keeps retrying on its own while the edge starts another.
    /// </summary>
    private void EdgeAttemptFailed(int op)
    {
        ref var operation = ref operations[op];
        if (operation.EdgeAttempt < policy.EdgeRetries)
        {
            long delay = policy.Backoff.DelayMicros(operation.EdgeAttempt + 1, random);
            if (Now + delay < operation.Deadline)
            {
                operation.EdgeAttempt++;
                metrics.Retried();
                if (delay == 0)
                    StartEdgeAttempt(op);
                else
                    events.Schedule(Now + delay, EventKind.EdgeRetry, op, operations.Generation(op));
                return;
            }
        }
        operation.Done = true;
        metrics.OperationFailed(Now - operation.StartedAt);
        TrySettle(op);
    }

    private void OnResponseArrival(int req)
    {
        var request = requests[req];
        requests.Release(req);
        operations[request.Operation].PendingRequests--;

        bool current = chains.Generation(request.Chain) == request.ChainGeneration
            && chains[request.Chain].AwaitingResponse
            && chains[request.Chain].Attempt == request.Attempt;
        if (!current)
        {
            TrySettle(request.Operation);
            return;
        }
        if (request.Outcome != Outcome.Success)
        {
            AttemptFailed(request.Chain, request.Broker);
            return;
        }
        breakers?.RecordSuccess(operations[request.Operation].Client, request.Broker);
        ChainSucceeded(request.Chain);
    }

    private void ChainSucceeded(int chain)
    {
        int op = chains[chain].Operation;
        int edgeAttempt = chains[chain].EdgeAttempt;
        chains.Release(chain);
        ref var operation = ref operations[op];
        operation.LiveChains--;
        // An abandoned call's success reaches nobody: the edge stopped listening when it timed out.
        if (!operation.Done && edgeAttempt == operation.EdgeAttempt)
        {
            operation.Done = true;
            metrics.OperationSucceeded(Now - operation.StartedAt);
        }
        TrySettle(op);
    }

    /// <summary>Frees an operation once it is decided and nothing sent for it can still land.</summary>
    private void TrySettle(int op)
    {
        ref var operation = ref operations[op];
        if (!operation.Done || operation.LiveChains > 0 || operation.PendingRequests > 0)
            return;
        if (operation.IsProduce)
            metrics.MessageSettled(operation.Writes);
        operations.Release(op);
    }
}
