namespace KafkaNative.Sim.Storm;

/// <summary>
/// Broker actors: a request finds a free handler, waits in the queue, or is refused when the queue is full.
/// A request whose propagated deadline has passed is dropped when it reaches a handler, so it costs no
/// service time. A dead broker answers nothing: its clients find out by timing out.
/// </summary>
internal sealed partial class StormSimulation
{
    private void OnRequestArrival(int req)
    {
        ref var request = ref requests[req];
        var broker = brokers[request.Broker];
        broker.Received++;
        if (!broker.Alive)
        {
            broker.ReceivedWhileDead++;
            DropRequest(req);
            return;
        }
        request.BrokerIncarnation = broker.Incarnation;
        if (broker.Busy < scenario.Broker.Concurrency)
        {
            StartService(broker, req);
        }
        else if (broker.QueueLength < scenario.Broker.QueueLimit)
        {
            broker.Enqueue(req);
        }
        else
        {
            broker.Rejected++;
            Respond(req, Outcome.Throttled);
        }
    }

    private void StartService(BrokerState broker, int req)
    {
        ref var request = ref requests[req];
        if (request.Deadline <= Now)
        {
            broker.Shed++;
            DropRequest(req);
            return;
        }
        broker.Busy++;
        double mean = request.IsProduce ? scenario.Broker.ProduceServiceMs : scenario.Broker.FetchServiceMs;
        // Half fixed cost, half exponential: a mean of `mean` with a realistic tail.
        double serviceMs = mean * 0.5 + random.NextExponential(mean * 0.5);
        events.Schedule(Now + VirtualClock.FromMilliseconds(serviceMs) + broker.ServiceSlowdownMicros, EventKind.ServiceComplete, req);
    }

    private void OnServiceComplete(int req)
    {
        ref var request = ref requests[req];
        var broker = brokers[request.Broker];
        if (!broker.Alive || request.BrokerIncarnation != broker.Incarnation)
        {
            DropRequest(req);
            return;
        }
        broker.Busy--;
        broker.Served++;
        if (cluster.CurrentLeader(request.Partition) == request.Broker)
        {
            if (request.IsProduce)
                operations[request.Operation].Writes++;
            Respond(req, Outcome.Success);
        }
        else
        {
            Respond(req, Outcome.NotLeader);
        }
        while (broker.Busy < scenario.Broker.Concurrency && broker.QueueLength > 0)
            StartService(broker, broker.Dequeue());
    }

    private void Respond(int req, Outcome outcome)
    {
        ref var request = ref requests[req];
        request.Outcome = outcome;
        var broker = brokers[request.Broker];
        events.Schedule(Now + NetworkDelay(request.ClientZone, request.Broker) + broker.ResponseDelayMicros, EventKind.ResponseArrival, req);
    }

    /// <summary>A request vanishes without an answer (dead broker or expired deadline).</summary>
    private void DropRequest(int req)
    {
        int op = requests[req].Operation;
        requests.Release(req);
        operations[op].PendingRequests--;
        TrySettle(op);
    }

    private void KillBroker(int index)
    {
        var broker = brokers[index];
        if (!broker.Alive)
            return;
        broker.Alive = false;
        broker.Incarnation++;
        broker.Busy = 0;
        while (broker.QueueLength > 0)
            DropRequest(broker.Dequeue());
        events.Schedule(Now + VirtualClock.FromMilliseconds(scenario.Broker.LeaderElectionDelayMs), EventKind.LeaderElection);
    }
}
