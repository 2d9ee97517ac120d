using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using KafkaNative.Client.Diagnostics;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Tests;

public sealed class TelemetryTests
{
    [Fact]
    public async Task RequestsEmitMetricsAndActivities()
    {
        var measurements = new ConcurrentDictionary<string, double>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == KafkaTelemetry.Name) listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        meters.SetMeasurementEventCallback<double>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        meters.Start();

        var activities = new ConcurrentQueue<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KafkaTelemetry.ProtocolName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(tracing);

        await using var broker = new FakeBroker();
        await using (BrokerConnection connection = await TestOptions.ConnectAsync(broker))
            await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] });

        foreach (string name in new[] { "kafka.client.requests", "kafka.client.bytes_sent", "kafka.client.bytes_received", "kafka.client.request.duration", "kafka.client.connection.attempts" })
            Assert.True(measurements.GetValueOrDefault(name) > 0, $"{name} was not recorded");
        Assert.Contains(activities, a => a.OperationName == "Metadata" && Equals(a.GetTagItem("kafka.broker.id"), broker.NodeId));
    }
}
