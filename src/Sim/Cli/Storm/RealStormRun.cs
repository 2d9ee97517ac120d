using System.Diagnostics;
using System.Text.Json;
using KafkaNative.Consumer;
using KafkaNative.Producer;
using KafkaNative.Protocol;

namespace KafkaNative.Sim.Storm;

/// <summary>
/// One scenario played on the wall clock with real clients: a <see cref="SimulatedCluster"/> shaped like the
/// scenario's topology, <c>producers</c> real <see cref="KafkaProducer{TKey, TValue}"/>s offering a steady rate of
/// keyed records under one <see cref="RealClientConfig"/>, a consumer group reading along, and the scenario's
/// chaos applied through the cluster's fault API. Afterwards the stored log is audited against what was acknowledged.
/// </summary>
internal sealed class RealStormRun(Scenario scenario, RealClientConfig config, int producers, double seconds, double recordsPerSecond)
{
    private const int KeysPerProducer = 8;
    private static readonly TimeSpan ReadBackTimeout = TimeSpan.FromSeconds(10);

    private readonly int _perProducer = (int)Math.Ceiling(recordsPerSecond / producers * seconds);

    public async Task<RealStormResult> RunAsync(IReadOnlyList<RealChaosStep> chaos, CancellationToken ct)
    {
        var topic = scenario.Topology.Topics[0];
        await using var cluster = await StartClusterAsync(ct).ConfigureAwait(false);
        var ledger = new RealLedger(producers * _perProducer);
        var clock = Stopwatch.StartNew();
        var applied = new List<(double, string)>();
        var requestsPerSecond = new List<long>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var consumed = new HashSet<int>();
        Task reading = ReadAlongAsync(cluster.BootstrapServers, topic.Name, consumed, stop.Token);
        Task sampling = SampleAsync(cluster, clock, requestsPerSecond, stop.Token);
        Task chaosTask = PlayChaosAsync(cluster, chaos, clock, applied, stop.Token);

        var clients = Enumerable.Range(0, producers).Select(_ => new KafkaProducer<string, string>(config.Options(cluster.BootstrapServers))).ToArray();
        try
        {
            await Task.WhenAll(clients.Select((client, index) => OfferAsync(client, index, topic.Name, ledger, clock, ct))).ConfigureAwait(false);
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
            scenario.Name, config.Name, producers, seconds, ledger.Offered, ledger.AcknowledgedCount(), ledger.Succeeded, ledger.Failed,
            SumRequests(cluster, ApiKey.Produce), SumRequests(cluster, ApiKey.Metadata),
            ledger.LatencyPercentile(0.50), ledger.LatencyPercentile(0.99), audit.Lost, audit.Duplicated, audit.OutOfOrder, Count(consumed));
        var verdicts = ledger.Series(requestsPerSecond.Count);
        var series = requestsPerSecond.Select((requests, second) =>
            new RealSecond(second, verdicts[second][0], verdicts[second][1], verdicts[second][2], requests)).ToList();
        return new RealStormResult(summary, series, applied);
    }

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
            };
            return await SimulatedCluster.StartAsync(options, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Offers this producer's records at a steady rate; each record's application call runs on its own.</summary>
    private async Task OfferAsync(KafkaProducer<string, string> client, int producer, string topic, RealLedger ledger, Stopwatch clock, CancellationToken ct)
    {
        var operations = new List<Task>(_perProducer);
        double interval = seconds / _perProducer;
        for (int sequence = 0; sequence < _perProducer; sequence++)
        {
            var due = TimeSpan.FromSeconds(sequence * interval + producer * interval / producers);
            if (due > clock.Elapsed)
                await Task.Delay(due - clock.Elapsed, ct).ConfigureAwait(false);
            int id = producer * _perProducer + sequence;
            ledger.Offer((int)clock.Elapsed.TotalSeconds);
            operations.Add(OperateAsync(client, topic, $"p{producer}-k{sequence % KeysPerProducer}", id, ledger, clock));
        }
        await Task.WhenAll(operations).ConfigureAwait(false);
    }

    /// <summary>
    /// The application's call for one record: produce, and with edge retries produce again after a failure or
    /// the edge timeout while earlier calls carry on. Returns once every call has settled, so the ledger knows
    /// every acknowledgement.
    /// </summary>
    private async Task OperateAsync(KafkaProducer<string, string> client, string topic, string key, int id, RealLedger ledger, Stopwatch clock)
    {
        var start = clock.Elapsed;
        string value = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var calls = new List<Task<bool>>();
        bool success = false;
        for (int attempt = 0; attempt <= config.EdgeRetries && !success; attempt++)
        {
            var call = CallAsync(client, topic, key, value, id, ledger);
            calls.Add(call);
            if (config.EdgeTimeout is { } edge)
            {
                await Task.WhenAny(call, Task.Delay(edge)).ConfigureAwait(false);
                success = call.IsCompletedSuccessfully && call.Result;
            }
            else
            {
                success = await call.ConfigureAwait(false);
            }
        }
        var end = clock.Elapsed;
        ledger.Verdict(success, (end - start).TotalMilliseconds, (int)end.TotalSeconds);
        await Task.WhenAll(calls).ConfigureAwait(false);
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

    private static async Task PlayChaosAsync(SimulatedCluster cluster, IReadOnlyList<RealChaosStep> chaos, Stopwatch clock, List<(double, string)> applied, CancellationToken ct)
    {
        foreach (var step in chaos)
        {
            var due = TimeSpan.FromSeconds(step.AtSeconds);
            if (due > clock.Elapsed)
                await Task.Delay(due - clock.Elapsed, ct).ConfigureAwait(false);
            await step.ApplyAsync(cluster).ConfigureAwait(false);
            lock (applied)
                applied.Add((Math.Round(clock.Elapsed.TotalSeconds, 2), step.Label));
        }
    }

    /// <summary>Produce requests received in each wall-clock second, until the run stops.</summary>
    private static async Task SampleAsync(SimulatedCluster cluster, Stopwatch clock, List<long> perSecond, CancellationToken ct)
    {
        long previous = 0;
        try
        {
            for (int second = 1; ; second++)
            {
                var wait = TimeSpan.FromSeconds(second) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                long total = SumRequests(cluster, ApiKey.Produce);
                perSecond.Add(total - previous);
                previous = total;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A consumer group member reading the topic from the start, as the model's consumers do, noting the ids it sees.</summary>
    private static async Task ReadAlongAsync(string bootstrap, string topic, HashSet<int> consumed, CancellationToken ct)
    {
        await using var consumer = new KafkaConsumer<string, string>(new ConsumerOptions
        {
            BootstrapServers = bootstrap,
            GroupId = "storm-readback",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        });
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

    private static async Task WaitForReadBackAsync(HashSet<int> consumed, int distinctStored, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (Count(consumed) < distinctStored && deadline.Elapsed < ReadBackTimeout)
            await Task.Delay(50, ct).ConfigureAwait(false);
    }

    private static int Count(HashSet<int> consumed)
    {
        lock (consumed)
            return consumed.Count;
    }

    private static long SumRequests(SimulatedCluster cluster, ApiKey api) => cluster.BrokerIds.Sum(broker => cluster.RequestCount(broker, api));
}
