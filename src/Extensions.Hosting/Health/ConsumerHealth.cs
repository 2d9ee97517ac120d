using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaNative.Extensions.Hosting;

/// <summary>What a consumer's health is, given what is known about it; shared by the checks of registered and hosted consumers.</summary>
internal static class ConsumerHealth
{
    public static HealthCheckResult Of<TKey, TValue>(IKafkaConsumer<TKey, TValue> consumer, Exception? lastError, HealthStatus failureStatus)
    {
        IReadOnlyList<TopicPartition> assignment = consumer.Assignment;
        var data = new Dictionary<string, object>
        {
            ["assigned_partitions"] = assignment.Count,
            ["member_id"] = consumer.MemberId,
        };
        if (consumer is KafkaConsumer<TKey, TValue> { ClusterUnreachable: { } unreachable })
            return new HealthCheckResult(failureStatus, $"The cluster is unreachable: {unreachable.Message}", unreachable, data);
        if (lastError is MaxPollIntervalExceededException)
            return HealthCheckResult.Degraded($"The member left its group after the max poll interval and rejoins: {lastError.Message}", lastError, data);
        if (lastError is not null)
            return HealthCheckResult.Degraded($"Consuming failed and is being retried: {lastError.Message}", lastError, data);
        if (assignment.Count == 0)
            return HealthCheckResult.Degraded(consumer.Subscription.Count > 0 ? "Subscribed; waiting for partitions from the group." : "Neither subscribed nor assigned.", data: data);
        return HealthCheckResult.Healthy($"Consuming {assignment.Count} partitions" + (consumer.MemberId.Length > 0 ? $" as member {consumer.MemberId}." : "."), data);
    }
}

/// <summary>The health of a consumer registered with <c>AddKafkaConsumer</c>: Healthy while it has partitions and reaches the cluster.</summary>
internal sealed class ConsumerHealthCheck<TKey, TValue>(IKafkaConsumer<TKey, TValue> consumer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ConsumerHealth.Of(consumer, null, context.Registration.FailureStatus));
}

/// <summary>
/// The health of a hosted consumer: Healthy while it runs, holds partitions and reaches the cluster; Degraded while
/// it waits for partitions or retries after an error (max poll interval exceeded, for one); Unhealthy when the cluster
/// is unreachable or the service stopped, with its fault if it failed.
/// </summary>
internal sealed class HostedConsumerHealthCheck(HostedConsumerStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthStatus failure = context.Registration.FailureStatus;
        HealthCheckResult result = status.State switch
        {
            HostedConsumerState.NotStarted => HealthCheckResult.Degraded($"Hosted consumer '{status.Name}' has not started yet."),
            HostedConsumerState.Faulted => new HealthCheckResult(failure, $"Hosted consumer '{status.Name}' stopped with a fault: {status.Fault!.Message}", status.Fault),
            HostedConsumerState.Stopped => new HealthCheckResult(failure, $"Hosted consumer '{status.Name}' has stopped."),
            _ when status.Consumer is { } consumer => ConsumerHealth.Of(consumer, status.LastError, failure),
            _ => new HealthCheckResult(failure, $"Hosted consumer '{status.Name}' has stopped."),
        };
        return Task.FromResult(result);
    }
}
