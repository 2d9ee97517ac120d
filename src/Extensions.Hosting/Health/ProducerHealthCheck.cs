using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaNative.Extensions.Hosting;

/// <summary>
/// Healthy while the producer's latest metadata refresh reached the cluster (or none has failed yet: a producer
/// connects with its first record); Unhealthy, with the connection error, once one reached no broker.
/// </summary>
internal sealed class ProducerHealthCheck<TKey, TValue>(IKafkaProducer<TKey, TValue> producer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["pending_records"] = producer.PendingRecords,
            ["buffered_bytes"] = producer.BufferedBytes,
        };
        if (producer is KafkaProducer<TKey, TValue> { ClusterUnreachable: { } error })
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"The cluster is unreachable: {error.Message}", error, data));
        return Task.FromResult(HealthCheckResult.Healthy($"{producer.PendingRecords} records awaiting acknowledgement.", data));
    }
}
