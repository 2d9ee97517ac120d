using System.Diagnostics;
using KafkaNative.Consumer;
using KafkaNative.Producer;

namespace KafkaNative.Sim;

/// <summary>
/// The README's main job: an embedded three-broker cluster on loopback, our producer writing to it
/// while a broker is stopped and restarted under it, and a consumer group reading everything back,
/// then a tally of what was acknowledged, lost and duplicated.
/// </summary>
internal static class Demo
{
    private const string Topic = "demo-orders";

    public static async Task<int> RunAsync(int messages, TextWriter output, CancellationToken cancellationToken)
    {
        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3 }, cancellationToken);
        await cluster.CreateTopicAsync(Topic, partitions: 6, replicationFactor: 3);
        output.WriteLine($"cluster    3 simulated brokers at {cluster.BootstrapServers}; topic {Topic}: 6 partitions, 3 replicas");

        var produce = Stopwatch.StartNew();
        long acknowledged = 0, failed = 0;
        int victim = cluster.LeaderOf(Topic, 0);
        await using (var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = cluster.BootstrapServers }))
        {
            Action<DeliveryReport> onDelivery = report =>
            {
                if (report.Succeeded) Interlocked.Increment(ref acknowledged);
                else Interlocked.Increment(ref failed);
            };
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
                await producer.EnqueueAsync(Topic, $"customer-{i % 1000}", $"order-{i:D8}", onDelivery: onDelivery, cancellationToken: cancellationToken);
            }
            await producer.FlushAsync(cancellationToken);
        }
        produce.Stop();
        output.WriteLine($"produce    {acknowledged:N0} acknowledged, {failed:N0} failed in {produce.Elapsed.TotalSeconds:F2} s ({acknowledged / produce.Elapsed.TotalSeconds:N0} records/s), acks=all, idempotent");

        var consume = Stopwatch.StartNew();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long received = 0;
        await using (var consumer = new KafkaConsumer<string, string>(new ConsumerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "demo-group",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }))
        {
            consumer.Subscribe([Topic]);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await foreach (ConsumeResult<string, string> record in consumer.ConsumeAsync(deadline.Token))
                {
                    received++;
                    seen.Add(record.Value);
                    if (seen.Count >= acknowledged) break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                output.WriteLine("consume    stopped after 60 s without seeing every acknowledged record");
            }
        }
        consume.Stop();
        output.WriteLine($"consume    {received:N0} records ({seen.Count:N0} distinct) by consumer group demo-group in {consume.Elapsed.TotalSeconds:F2} s");

        long lost = Math.Max(0, acknowledged - seen.Count);
        output.WriteLine($"result     lost {lost:N0} acknowledged records, {received - seen.Count:N0} duplicates");
        return lost == 0 ? 0 : 1;
    }
}
