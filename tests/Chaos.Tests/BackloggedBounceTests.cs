using KafkaNative.Protocol;
using KafkaNative.Sim;

namespace KafkaNative.Chaos.Tests;

/// <summary>
/// The 50-bounce backlog regression: the busiest broker is stopped and started 50 times under the
/// unthrottled backlogged producer. Seen before: recovery routing back to the dead broker in a tight
/// loop (12,057 recoveries in 20 s, 919 connections to one broker). Besides the log's verdict, the
/// brokers' own counters bound the churn.
/// </summary>
public class BackloggedBounceTests(ITestOutputHelper output)
{
    private const int Bounces = 50;
    // A healthy producer reconnects to a restarted broker once, and a metadata refresh or two follow each
    // bounce; four connections and 20 metadata requests per bounce leave room without hiding a loop.
    private const int ConnectionsPerBounce = 4;
    private const int MetadataRequestsPerBounce = 20;

    [Fact]
    public async Task FiftyBouncesLoseNothingAndCauseNoReconnectStorm()
    {
        await using SimulatedCluster cluster = await ChaosCluster.StartAsync();
        var target = new FaultTarget(cluster, ChaosCluster.Topic, ChaosSettings.Partitions);
        int records = FaultRun.RecordsFor(Bounces);
        var workload = new OurProducerWorkload(cluster.BootstrapServers, ChaosCluster.Topic, records);
        long connectionsBefore = cluster.BrokerIds.Sum(cluster.ConnectionCount);
        long metadataBefore = cluster.BrokerIds.Sum(b => cluster.RequestCount(b, ApiKey.Metadata));

        FaultRunReport report = await new FaultRun(new StopStartFault(TimeSpan.FromMilliseconds(200)), Bounces).RunAsync(target, workload, records);

        long connections = cluster.BrokerIds.Sum(cluster.ConnectionCount) - connectionsBefore;
        long metadata = cluster.BrokerIds.Sum(b => cluster.RequestCount(b, ApiKey.Metadata)) - metadataBefore;
        LogAudit log = LogAudit.Check(cluster, ChaosCluster.Topic, ChaosSettings.Partitions, workload.Ledger);
        output.WriteLine($"{report}\nlog: {log}\nconnections accepted {connections}, metadata requests {metadata}");
        ChaosAssert.ProducerHeld(report, log, records);
        Assert.True(connections <= Bounces * ConnectionsPerBounce, $"{connections} connections over {Bounces} bounces: a reconnect loop");
        Assert.True(metadata <= Bounces * MetadataRequestsPerBounce, $"{metadata} metadata requests over {Bounces} bounces: a recovery loop");
    }
}
