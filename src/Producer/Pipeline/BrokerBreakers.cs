using System.Collections.Concurrent;
using KafkaNative.Client;
using Polly;
using Polly.CircuitBreaker;

namespace KafkaNative.Producer.Pipeline;

/// <summary>
/// One circuit breaker per broker node for the life of the producer. Broker producers come and go
/// as partitions move; the breaker's memory of a failing broker must not go with them, or a retry
/// loop that retires a broker producer on every lap would never trip it.
/// </summary>
internal sealed class BrokerBreakers(ProducerOptions options)
{
    private readonly ConcurrentDictionary<int, ResiliencePipeline> _breakers = new();

    public ResiliencePipeline For(int nodeId) => _breakers.GetOrAdd(nodeId, static (_, options) => Create(options), options);

    private static ResiliencePipeline Create(ProducerOptions options) => new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 1.0,
            MinimumThroughput = options.CircuitBreakerFailures,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = options.CircuitBreakerBreak,
            ShouldHandle = new PredicateBuilder().Handle<KafkaConnectionException>().Handle<KafkaTimeoutException>(),
            OnOpened = static _ =>
            {
                KafkaTelemetry.BreakerOpenings.Add(1);
                return default;
            },
        })
        .Build();
}
