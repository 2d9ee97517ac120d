using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using KafkaNative;
using KafkaNative.Extensions.Hosting;
using KafkaNative.Sim;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

// The sample app of tests/Packaging.Tests, built against the packed packages only: a producer and a hosted
// consumer registered in DI, whose handler fails one record (it must land in the dead-letter topic with its
// bytes and error headers), a health check, and OpenTelemetry spans that link each record's send to its
// process across a simulated cluster. Prints "SAMPLE OK" and exits 0, or says what failed and exits 1.

await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
await cluster.CreateTopicAsync("orders", 3);
await cluster.CreateTopicAsync("orders.DLT", 1);

var spans = new List<Activity>();
var billed = new BilledOrders();
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton(billed);
builder.Services.AddKafkaProducer<string, string>("orders", producer => producer.BootstrapServers = cluster.BootstrapServers);
builder.Services.AddKafkaConsumerHandler<string, string, BillingHandler>("billing",
    handler =>
    {
        handler.Topics = ["orders"];
        handler.MaxConcurrency = 4;
        handler.MaxRetries = 1;
        handler.RetryBackoff = TimeSpan.FromMilliseconds(10);
    },
    consumer =>
    {
        consumer.BootstrapServers = cluster.BootstrapServers;
        consumer.GroupId = "billing";
        consumer.AutoOffsetReset = AutoOffsetReset.Earliest;
    });
builder.Services.AddHealthChecks().AddKafkaConsumerHealthCheck("billing");
builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddKafkaNativeInstrumentation().AddInMemoryExporter(spans));

using IHost host = builder.Build();
await host.StartAsync();
var failures = new List<string>();
void Check(bool condition, string what)
{
    if (!condition) failures.Add(what);
}

var producer = host.Services.GetRequiredKeyedService<IKafkaProducer<string, string>>("orders");
for (int i = 0; i < 20; i++) await producer.ProduceAsync("orders", $"order-{i}", i == 7 ? "poison" : $"amount {i}");

DateTime deadline = DateTime.UtcNow.AddSeconds(60);
while (billed.Count < 19 && DateTime.UtcNow < deadline) await Task.Delay(20);
Check(billed.Count == 19 && !billed.Contains("order-7"), $"19 orders billed, all but order-7 (billed {billed.Count})");

await using (var deadLetters = new KafkaConsumer<string, string>(new ConsumerOptions { BootstrapServers = cluster.BootstrapServers }))
{
    deadLetters.Assign([new TopicPartitionOffset("orders.DLT", 0, TopicPartitionOffset.Beginning)]);
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    await foreach (ConsumeResult<string, string> dead in deadLetters.ConsumeAsync(timeout.Token))
    {
        string Header(string key) => dead.Headers.FirstOrDefault(h => h.Key == key).Value is { } value ? Encoding.UTF8.GetString(value.Span) : "";
        Check(dead.Key == "order-7" && dead.Value == "poison", $"the dead letter is order-7's original record (got {dead.Key}: {dead.Value})");
        Check(Header(DeadLetterHeaders.ErrorType).Contains("InvalidOperationException"), "the dead letter names the error type");
        Check(Header(DeadLetterHeaders.OriginalTopic) == "orders", "the dead letter names its original topic");
        break;
    }
}

HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
Check(health.Status == HealthStatus.Healthy, $"the consumer is healthy (it is {health.Status})");

await host.StopAsync();
Activity[] sends, processes;
lock (spans)
{
    sends = [.. spans.Where(s => s.DisplayName == "send orders")];
    processes = [.. spans.Where(s => s.DisplayName == "process orders")];
}
Check(sends.Length == 20, $"a send span per order ({sends.Length})");
Check(processes.Length >= 20, $"a process span per handling ({processes.Length})");
Check(processes.All(p => sends.Any(s => s.TraceId == p.TraceId && s.SpanId == p.ParentSpanId)), "every process span is the child of its record's send span");

foreach (string failure in failures) Console.WriteLine($"FAILED: {failure}");
Console.WriteLine(failures.Count == 0 ? "SAMPLE OK" : "SAMPLE FAILED");
return failures.Count == 0 ? 0 : 1;

/// <summary>What the handler billed, by key.</summary>
internal sealed class BilledOrders
{
    private readonly ConcurrentDictionary<string, int> _orders = new();

    public int Count => _orders.Count;

    public bool Contains(string key) => _orders.ContainsKey(key);

    public void Add(string key) => _orders.AddOrUpdate(key, 1, (_, n) => n + 1);
}

/// <summary>Bills an order; a poison order fails every time.</summary>
internal sealed class BillingHandler(BilledOrders billed) : IKafkaMessageHandler<string, string>
{
    public Task HandleAsync(ConsumeResult<string, string> order, CancellationToken cancellationToken)
    {
        if (order.Value == "poison") throw new InvalidOperationException($"order {order.Key} cannot be billed");
        billed.Add(order.Key);
        return Task.CompletedTask;
    }
}
