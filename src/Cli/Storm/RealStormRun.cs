using System.Diagnostics;
using System.Text.Json;
using KafkaNative.Client;
using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Protocol;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// One scenario played with real clients: a <see cref="SimulatedCluster"/> shaped like the scenario's topology,
/// <c>producers</c> real <see cref="KafkaProducer{TKey, TValue}"/>s offering keyed records on a seeded Poisson
/// schedule under one <see cref="RealClientConfig"/>, a consumer group reading along, and the scenario's chaos
/// applied through the cluster's fault API. Everything waits on <paramref name="time"/>, so on a
/// <see cref="VirtualTimeProvider"/> under a <see cref="VirtualTimeDriver"/> the run takes virtual time, and on
/// <see cref="TimeProvider.System"/> wall-clock time. Afterwards the stored log is audited against what was acknowledged.
/// </summary>
internal sealed class RealStormRun(Scenario scenario, RealClientConfig config, RealRunSettings settings, TimeProvider time)
{
    private const int KeysPerProducer = 8;
    private static readonly TimeSpan ReadBackTimeout = TimeSpan.FromSeconds(10);

    // Deadlines up to 50 ms late are nothing beside the storm's timeouts, and a fifth of the ticks to drive.
    private static readonly TimeSpan BrokerTick = TimeSpan.FromMilliseconds(50);

    public async Task<RealStormResult> RunAsync(IReadOnlyList<RealChaosStep> chaos, CancellationToken ct)
    {
        long wallStart = Stopwatch.GetTimestamp();
        var topic = scenario.Topology.Topics[0];
        using var telemetry = new RealTelemetry();
        await using var cluster = await StartClusterAsync(ct).ConfigureAwait(false);
        var schedule = RealSchedule.Plan(settings.Producers, settings.Seconds, settings.RecordsPerSecond, scenario.Seed);
        var ledger = new RealLedger(schedule.Records);
        var brokers = new RealBrokerStates(cluster.BrokerIds.Count);
        long start = time.GetTimestamp();
        var sampler = new RealSampler(cluster, telemetry, ledger, time, start);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var environment = new RealClientEnvironment(cluster.BootstrapServers, time, Transport(cluster), scenario.Seed);
        var consumed = new HashSet<int>();
        Task reading = ReadAlongAsync(environment, topic.Name, consumed, stop.Token);
        Task sampling = sampler.RunAsync(stop.Token);
        Task chaosTask = PlayChaosAsync(cluster, chaos, brokers, start, stop.Token);

        var clients = Enumerable.Range(0, settings.Producers).Select(index => new KafkaProducer<string, string>(config.Options(environment, index))).ToArray();
        try
        {
            await Task.WhenAll(clients.Select((client, index) => OfferAsync(client, index, topic.Name, schedule, ledger, start, ct))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync().ConfigureAwait(false);
        }
        await chaosTask.ConfigureAwait(false);

        var audit = RealLogAudit.Read(cluster, topic.Name, topic.Partitions, ledger);
        await WaitForReadBackAsync(consumed, audit.Distinct, ct).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(reading, sampling).ConfigureAwait(false);

        var summary = new RealStormSummary(
            scenario.Name, config.Name, settings.Producers, settings.Seconds, ledger.Offered, ledger.AcknowledgedCount(), ledger.Succeeded, ledger.Failed,
            RealSampler.SumRequests(cluster, ApiKey.Produce), telemetry.ProduceRequests, RealSampler.SumRequests(cluster, ApiKey.Metadata),
            ledger.LatencyMs(50), ledger.LatencyMs(99), audit.Lost, audit.Duplicated, audit.OutOfOrder, Count(consumed),
            (time as VirtualTimeProvider)?.Fired ?? 0, Stopwatch.GetElapsedTime(wallStart));
        var run = RealRunShape.ToStormResult(scenario, config, settings, summary, audit, telemetry, sampler.Samples, cluster, brokers, ledger, time is not VirtualTimeProvider);
        return new RealStormResult(run, summary);
    }

    /// <summary>
    /// On virtual time the clients reach the cluster through in-memory pipes: a socket's bytes are in the kernel,
    /// where the driver cannot see them, so it would fire timers while they are on their way.
    /// </summary>
    private IKafkaTransport Transport(SimulatedCluster cluster) => time is VirtualTimeProvider
        ? KafkaTransport.InMemory((endpoint, ct) => cluster.ConnectInMemoryAsync(endpoint.Host, endpoint.Port, ct))
        : KafkaTransport.Default;

    /// <summary>Topology broker i becomes cluster broker i in the same zone; the scenario's topics are created at start.</summary>
    private async Task<SimulatedCluster> StartClusterAsync(CancellationToken ct)
    {
        var topology = scenario.Topology;
        string file = Path.Combine(Path.GetTempPath(), $"storm-real-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            arch = topology.Name,
            zones = topology.Zones,
            brokers = topology.Brokers.Select((broker, index) => new { id = index, zone = broker.Zone }),
            topics = topology.Topics.Select(t => new { name = t.Name, partitions = t.Partitions, replicationFactor = t.ReplicationFactor }),
        }), ct).ConfigureAwait(false);
        try
        {
            // Killed brokers lose their leaderships when the model elects new leaders.
            var options = new ClusterOptions
            {
                ArchitectureFile = file,
                Seed = (int)scenario.Seed,
                BrokerSessionTimeout = TimeSpan.FromMilliseconds(scenario.Broker.LeaderElectionDelayMs),
                TimeProvider = time,
                TickInterval = BrokerTick,
            };
            return await SimulatedCluster.StartAsync(options, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Offers this producer's records at their scheduled times; each record's application call runs on its own.</summary>
    private async Task OfferAsync(KafkaProducer<string, string> client, int producer, string topic, RealSchedule schedule, RealLedger ledger, long start, CancellationToken ct)
    {
        var offers = schedule.Offers[producer];
        var operations = new List<Task>(offers.Length);
        for (int sequence = 0; sequence < offers.Length; sequence++)
        {
            await DelayUntilAsync(start, offers[sequence], ct).ConfigureAwait(false);
            int id = schedule.FirstId[producer] + sequence;
            ledger.Offer(SecondOf(start));
            operations.Add(OperateAsync(client, topic, $"p{producer}-k{sequence % KeysPerProducer}", id, ledger, start));
        }
        await Task.WhenAll(operations).ConfigureAwait(false);
    }

    /// <summary>
    /// The application's call for one record: produce, and with edge retries produce again after a failure or
    /// the edge timeout while earlier calls carry on. Returns once every call has settled, so the ledger knows
    /// every acknowledgement.
    /// </summary>
    private async Task OperateAsync(KafkaProducer<string, string> client, string topic, string key, int id, RealLedger ledger, long start)
    {
        long begun = time.GetTimestamp();
        string value = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var calls = new List<Task<bool>>();
        bool success = false;
        for (int attempt = 0; attempt <= config.EdgeRetries && !success; attempt++)
        {
            var call = CallAsync(client, topic, key, value, id, ledger);
            calls.Add(call);
            success = config.EdgeTimeout is { } edge ? await WithinAsync(call, edge).ConfigureAwait(false) : await call.ConfigureAwait(false);
        }
        ledger.Verdict(success, time.GetElapsedTime(begun), SecondOf(start));
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    /// <summary>The call's outcome if it comes within <paramref name="edge"/>, else false; the call carries on either way.</summary>
    private async Task<bool> WithinAsync(Task<bool> call, TimeSpan edge)
    {
        try
        {
            return await call.WaitAsync(edge, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task<bool> CallAsync(KafkaProducer<string, string> client, string topic, string key, string value, int id, RealLedger ledger)
    {
        try
        {
            await client.ProduceAsync(topic, key, value).ConfigureAwait(false);
            ledger.Acknowledge(id);
            return true;
        }
        catch (KafkaException)
        {
            return false;
        }
    }

    private async Task PlayChaosAsync(SimulatedCluster cluster, IReadOnlyList<RealChaosStep> chaos, RealBrokerStates brokers, long start, CancellationToken ct)
    {
        foreach (var step in chaos)
        {
            await DelayUntilAsync(start, TimeSpan.FromSeconds(step.AtSeconds), ct).ConfigureAwait(false);
            await step.ApplyAsync(cluster).ConfigureAwait(false);
            brokers.Apply(step, Math.Round(time.GetElapsedTime(start).TotalSeconds, 2));
        }
    }

    /// <summary>A consumer group member reading the topic from the start, as the model's consumers do, noting the ids it sees.</summary>
    private static async Task ReadAlongAsync(RealClientEnvironment environment, string topic, HashSet<int> consumed, CancellationToken ct)
    {
        await using var consumer = new KafkaConsumer<string, string>(RealClientConfig.ConsumerOptions(environment));
        consumer.Subscribe([topic]);
        try
        {
            await foreach (var record in consumer.ConsumeAsync(ct).ConfigureAwait(false))
            {
                if (int.TryParse(record.Value, System.Globalization.CultureInfo.InvariantCulture, out int id))
                {
                    lock (consumed)
                        consumed.Add(id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (KafkaException)
        {
            // The read-back is a witness, not the audit: a consumer that gives up only lowers the consumed count.
        }
    }

    private async Task WaitForReadBackAsync(HashSet<int> consumed, int distinctStored, CancellationToken ct)
    {
        long waiting = time.GetTimestamp();
        while (Count(consumed) < distinctStored && time.GetElapsedTime(waiting) < ReadBackTimeout)
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct).ConfigureAwait(false);
    }

    private async Task DelayUntilAsync(long start, TimeSpan due, CancellationToken ct)
    {
        var wait = due - time.GetElapsedTime(start);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
    }

    private int SecondOf(long start) => (int)time.GetElapsedTime(start).TotalSeconds;

    private static int Count(HashSet<int> consumed)
    {
        lock (consumed)
            return consumed.Count;
    }
}
