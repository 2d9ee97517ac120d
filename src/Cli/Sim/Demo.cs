using System.Diagnostics;
using KafkaNative.Consumer;
using KafkaNative.Producer;

namespace KafkaNative.Sim;

/// <summary>
/// The README's main job: an embedded three-broker cluster on loopback, our producer writing to it
/// unthrottled while a broker is stopped and restarted under it, and a consumer group reading
/// everything back. The tally is checked record by record against the producer's reports, the
/// consumer and the cluster's own log: any failed, lost or duplicated record makes the exit code 1.
/// </summary>
internal static class Demo
{
    private const string Topic = "demo-orders";
    private const int Partitions = 6;

    public static async Task<int> RunAsync(int messages, TextWriter output, CancellationToken cancellationToken)
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 }, cancellationToken);
        await cluster.CreateTopicAsync(Topic, partitions: Partitions, replicationFactor: 3);
        output.WriteLine($"cluster    3 simulated brokers at {cluster.BootstrapServers}; topic {Topic}: {Partitions} partitions, 3 replicas");

        var outcomes = new DeliveryTally(messages);
        var produce = Stopwatch.StartNew();
        int victim = cluster.LeaderOf(Topic, 0);
        await using (var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers }))
        {
            int nextProgress = messages / 4;
            for (int i = 0; i < messages; i++)
            {
                if (i == messages / 3)
                {
                    await cluster.StopBrokerAsync(victim);
                    output.WriteLine($"chaos      broker {victim} stopped after {i:N0} records; its partitions fail over");
                }
                if (i == 2 * messages / 3)
                {
                    await cluster.StartBrokerAsync(victim);
                    output.WriteLine($"chaos      broker {victim} restarted after {i:N0} records; it catches up and rejoins");
                }
                if (i == nextProgress)
                {
                    output.WriteLine($"progress   {i:N0} enqueued, {outcomes.Acknowledged:N0} acknowledged, {outcomes.Failed:N0} failed after {produce.Elapsed.TotalSeconds:F2} s");
                    nextProgress += messages / 4;
                }
                await producer.EnqueueAsync(Topic, $"customer-{i % 1000}", Value(i), onDelivery: outcomes.CallbackFor(i), cancellationToken: cancellationToken);
            }
            await producer.FlushAsync(cancellationToken);
        }
        produce.Stop();
        output.WriteLine($"produce    {outcomes.Acknowledged:N0} acknowledged, {outcomes.Failed:N0} failed in {produce.Elapsed.TotalSeconds:F2} s " +
            $"({outcomes.Acknowledged / produce.Elapsed.TotalSeconds:N0} records/s), acks=all, idempotent");
        output.WriteLine($"acks       first after {outcomes.FirstAcknowledgement.TotalMilliseconds:N0} ms; longest gap between two acknowledgements {outcomes.LongestGap.TotalMilliseconds:N0} ms");
        if (outcomes.FirstError is { } error) output.WriteLine($"error      first failure: {error.Message}");

        var consume = Stopwatch.StartNew();
        int[] timesRead = await ConsumeAsync(cluster.BootstrapServers, outcomes.Acknowledged, messages, output, cancellationToken);
        consume.Stop();
        long read = timesRead.Sum(n => (long)n);
        output.WriteLine($"consume    {read:N0} records by consumer group demo-group in {consume.Elapsed.TotalSeconds:F2} s");

        // The independent check: the cluster's own log, copy by copy.
        int[] stored = new int[messages];
        foreach (int index in StoredRecords(cluster)) stored[index]++;
        long lost = 0, notRead = 0, duplicatedInLog = 0, readTwice = 0;
        for (int i = 0; i < messages; i++)
        {
            if (outcomes.WasAcknowledged(i) && stored[i] == 0) lost++;
            if (outcomes.WasAcknowledged(i) && timesRead[i] == 0) notRead++;
            if (stored[i] > 1) duplicatedInLog++;
            if (timesRead[i] > 1) readTwice++;
        }
        output.WriteLine($"log        {stored.Count(n => n > 0):N0} distinct records stored; {duplicatedInLog:N0} stored more than once; {lost:N0} acknowledged but missing");
        bool clean = outcomes.Failed == 0 && outcomes.Acknowledged == messages && lost == 0 && notRead == 0 && duplicatedInLog == 0 && readTwice == 0;
        output.WriteLine($"result     {(clean ? "OK" : "FAILED")}: {outcomes.Failed:N0} failed, {lost:N0} lost, {duplicatedInLog:N0} duplicated in the log, " +
            $"{notRead:N0} acknowledged but not consumed, {readTwice:N0} consumed twice");
        return clean ? 0 : 1;
    }

    private static string Value(int index) => $"order-{index:D8}";

    private static int IndexOf(ReadOnlySpan<char> value) => int.Parse(value["order-".Length..]);

    /// <summary>Reads with a consumer group until every acknowledged record was seen (or 60 s pass); how often each record was read.</summary>
    private static async Task<int[]> ConsumeAsync(string bootstrap, long acknowledged, int messages, TextWriter output, CancellationToken cancellationToken)
    {
        int[] timesRead = new int[messages];
        long distinct = 0;
        await using var consumer = new KafkaConsumer<string, string>(new ConsumerOptions
        {
            BootstrapServers = bootstrap,
            GroupId = "demo-group",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        });
        consumer.Subscribe([Topic]);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await foreach (ConsumeResult<string, string> record in consumer.ConsumeAsync(deadline.Token))
            {
                if (record.Value is null || ++timesRead[IndexOf(record.Value)] > 1) continue;
                if (++distinct >= acknowledged) break;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("consume    stopped after 60 s without seeing every acknowledged record");
        }
        return timesRead;
    }

    private static List<int> StoredRecords(SimulatedCluster cluster)
    {
        var stored = new List<int>();
        using var reader = new Protocol.Records.RecordBatchReader();
        for (int partition = 0; partition < Partitions; partition++)
            foreach (ReadOnlyMemory<byte> batch in cluster.ReadBatches(Topic, partition))
                foreach (Protocol.Records.RecordBatch decoded in reader.Read(batch))
                    foreach (var record in decoded)
                        stored.Add(IndexOf(System.Text.Encoding.UTF8.GetString(record.ValueSpan)));
        return stored;
    }
}
