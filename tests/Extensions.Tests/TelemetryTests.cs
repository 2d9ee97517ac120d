using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using KafkaNative.Sim;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace KafkaNative.Extensions.Tests;

public class TelemetryTests
{
    private static (TracerProvider Tracing, MeterProvider Metrics) Providers(List<Activity> spans, List<Metric> metrics) =>
        (Sdk.CreateTracerProviderBuilder().AddKafkaNativeInstrumentation().AddInMemoryExporter(spans).Build()!,
         Sdk.CreateMeterProviderBuilder().AddKafkaNativeInstrumentation().AddInMemoryExporter(metrics).Build()!);

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    private static IEnumerable<(string Metric, Dictionary<string, object?> Tags)> Points(IEnumerable<Metric> metrics)
    {
        foreach (Metric metric in metrics)
        {
            var points = new List<Dictionary<string, object?>>();
            foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (KeyValuePair<string, object?> tag in point.Tags) tags[tag.Key] = tag.Value;
                points.Add(tags);
            }
            foreach (Dictionary<string, object?> tags in points) yield return (metric.Name, tags);
        }
    }

    [Fact]
    public async Task ASendSpanAndItsProcessSpanShareATrace_ThroughTheTraceparentHeader_WithConventionalAttributesAndMetrics()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        (TracerProvider tracing, MeterProvider meters) = Providers(spans, metrics);
        using (tracing)
        using (meters)
        {
            await using SimulatedCluster cluster = await SimKafka.StartAsync(("otel", 1));
            RecordHeader[] callerHeaders = [new("app", Encoding.UTF8.GetBytes("x"))];
            var delivered = new List<DeliveryResult>();
            await using (var producer = new KafkaProducer<string, string>(SimKafka.Producer(cluster)))
            {
                for (int i = 0; i < 3; i++) delivered.Add(await producer.ProduceAsync("otel", $"key-{i}", $"value-{i}", callerHeaders));
            }
            Assert.Single(callerHeaders);

            var seen = new ConcurrentQueue<(ConsumeResult<string, string> Record, Activity? Current)>();
            var options = new ConsumerOptions();
            SimKafka.Configure(options, cluster, "otel-group");
            await using (var consumer = new KafkaConsumer<string, string>(options))
            {
                consumer.Subscribe(["otel"]);
                using var done = new CancellationTokenSource(Eventually.DefaultTimeout);
                try
                {
                    await consumer.ConsumeAsync((record, _) =>
                    {
                        seen.Enqueue((record, Activity.Current));
                        if (seen.Count == 3) done.Cancel();
                        return ValueTask.CompletedTask;
                    }, done.Token);
                }
                catch (OperationCanceledException) when (seen.Count == 3)
                {
                }
                await Eventually.TrueAsync(() =>
                {
                    metrics.Clear();
                    meters.ForceFlush();
                    return metrics.Any(m => m.Name == "messaging.kafka.consumer.lag");
                }, "the lag gauge while the consumer is assigned");
            }
            tracing.ForceFlush();

            Activity[] sends = [.. spans.Where(s => s.DisplayName == "send otel")];
            Assert.Equal(3, sends.Length);
            foreach ((ConsumeResult<string, string> record, Activity? current) in seen)
            {
                Activity send = Assert.Single(sends, s => Tag(s, "messaging.kafka.message.key") == record.Key);
                Assert.Equal(ActivityKind.Producer, send.Kind);
                Assert.Equal("kafka", Tag(send, "messaging.system"));
                Assert.Equal("send", Tag(send, "messaging.operation.name"));
                Assert.Equal("otel", Tag(send, "messaging.destination.name"));
                Assert.Equal("0", Tag(send, "messaging.destination.partition.id"));
                Assert.Equal(record.Offset.ToString(), Tag(send, "messaging.kafka.offset"));

                // The header went with the record (beside the caller's own), and the process span is the send span's child.
                Assert.Equal("x", Encoding.UTF8.GetString(record.Headers.Single(h => h.Key == "app").Value!.Value.Span));
                Assert.Equal(send.Id, Encoding.UTF8.GetString(record.Headers.Single(h => h.Key == KafkaTelemetry.TraceParentHeader).Value!.Value.Span));
                Assert.NotNull(current);
                Assert.Equal("process otel", current!.DisplayName);
                Assert.Equal(ActivityKind.Consumer, current.Kind);
                Assert.Equal(send.TraceId, current.TraceId);
                Assert.Equal(send.SpanId, current.ParentSpanId);
                Assert.Equal("otel-group", Tag(current, "messaging.consumer.group.name"));
                Assert.Equal(record.Offset.ToString(), Tag(current, "messaging.kafka.offset"));
                Assert.Equal("0", Tag(current, "messaging.destination.partition.id"));
            }
            // Broker requests are protocol detail, not recorded unless asked for.
            Assert.DoesNotContain(spans, s => s.Source.Name == KafkaTelemetry.ProtocolName);

            metrics.Clear();
            meters.ForceFlush();
            var points = Points(metrics).ToList();
            Assert.Contains(points, p => p.Metric == "messaging.client.sent.messages" && Equals(p.Tags["messaging.destination.name"], "otel"));
            Assert.Contains(points, p => p.Metric == "messaging.client.operation.duration" && Equals(p.Tags["messaging.operation.name"], "send"));
            Assert.Contains(points, p => p.Metric == "messaging.client.consumed.messages" && Equals(p.Tags["messaging.consumer.group.name"], "otel-group"));
            // Closing the producer and consumer is no error: nothing recorded carries error.type or an error status.
            Assert.DoesNotContain(points, p => p.Tags.ContainsKey("error.type"));
            Assert.DoesNotContain(spans, s => s.Status == ActivityStatusCode.Error || s.GetTagItem("error.type") is not null);
        }
    }

    [Fact]
    public async Task TheHostedConsumersHandlerRunsInsideItsRecordsProcessSpan_UnderTheSendSpan()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        (TracerProvider tracing, MeterProvider meters) = Providers(spans, metrics);
        using (tracing)
        using (meters)
        {
            await using SimulatedCluster cluster = await SimKafka.StartAsync(("orders", 1), ("orders.DLT", 1));
            await using (var producer = new KafkaProducer<string, string>(SimKafka.Producer(cluster)))
            {
                await producer.ProduceAsync("orders", "k", "v0");
            }
            var recorder = new Recorder();
            var current = new TaskCompletionSource<Activity?>(TaskCreationOptions.RunContinuationsAsynchronously);
            recorder.Gate = (_, _) =>
            {
                current.TrySetResult(Activity.Current);
                return Task.CompletedTask;
            };
            var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddSingleton(recorder);
            builder.Services.AddKafkaConsumerHandler<string, string, RecordingHandler>("orders", o => o.Topics = ["orders"], o => SimKafka.Configure(o, cluster, "hosted-otel"));
            using (IHost host = builder.Build())
            {
                await host.StartAsync();
                Activity? process = await current.Task.WaitAsync(Eventually.DefaultTimeout);
                await Eventually.TrueAsync(() => recorder.Handled.Count == 1, "the record handled");
                await host.StopAsync();

                tracing.ForceFlush();
                Activity send = Assert.Single(spans, s => s.DisplayName == "send orders" && s.Kind == ActivityKind.Producer && Tag(s, "messaging.kafka.message.key") == "k");
                Assert.NotNull(process);
                Assert.Equal("process orders", process!.DisplayName);
                Assert.Equal(send.TraceId, process.TraceId);
                Assert.Equal(send.SpanId, process.ParentSpanId);
                Assert.Equal("hosted-otel", Tag(process, "messaging.consumer.group.name"));
                Activity receive = Assert.Single(spans, s => s.DisplayName == "receive orders");
                Assert.Contains(receive.Links, l => l.Context.SpanId == send.SpanId);
            }
            metrics.Clear();
            meters.ForceFlush();
            var points = Points(metrics).ToList();
            Assert.Contains(points, p => p.Metric == "messaging.process.duration" && Equals(p.Tags["messaging.consumer.group.name"], "hosted-otel"));
            Assert.Contains(points, p => p.Metric == "messaging.client.operation.duration" && Equals(p.Tags["messaging.operation.name"], "receive"));
            Assert.DoesNotContain(points, p => p.Tags.ContainsKey("error.type"));
            Assert.DoesNotContain(spans, s => s.Status == ActivityStatusCode.Error);
        }
    }

    [Fact]
    public async Task WhileNothingListens_NoTraceContextIsAddedToTheHeaders()
    {
        Assert.False(KafkaTelemetry.ActivitySource.HasListeners());
        await using SimulatedCluster cluster = await SimKafka.StartAsync(("quiet", 1));
        await using (var producer = new KafkaProducer<string, string>(SimKafka.Producer(cluster)))
        {
            await producer.ProduceAsync("quiet", "k", "v", [new("app", Encoding.UTF8.GetBytes("x"))]);
        }
        ConsumeResult<byte[]?, byte[]?> record = Assert.Single(await SimKafka.ReadAsync(cluster, "quiet", 1, 1));
        Assert.Equal(["app"], record.Headers.Select(h => h.Key));
    }
}
