using KafkaNative;
using KafkaNative.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of KafkaNative clients registered in the container.</summary>
public static class KafkaHealthCheckExtensions
{
    /// <summary>
    /// Checks a producer registered with <c>AddKafkaProducer</c>: Healthy while its latest metadata refresh reached
    /// the cluster (or none failed yet), <paramref name="failureStatus"/> with the connection error once one reached no broker.
    /// </summary>
    /// <typeparam name="TKey">The producer's key type.</typeparam>
    /// <typeparam name="TValue">The producer's value type.</typeparam>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="producerName">The producer's name, or null for the default producer.</param>
    /// <param name="checkName">The check's name; defaults to <c>kafka-producer[-NAME]</c>.</param>
    /// <param name="failureStatus">What a failure reports; Unhealthy by default.</param>
    /// <param name="tags">Tags to filter checks by (readiness, liveness).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddKafkaProducerHealthCheck<TKey, TValue>(this IHealthChecksBuilder builder, string? producerName = null,
        string? checkName = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(checkName ?? NameOf("kafka-producer", producerName),
            provider => new ProducerHealthCheck<TKey, TValue>(Resolve<IKafkaProducer<TKey, TValue>>(provider, producerName)), failureStatus, tags));
    }

    /// <summary>
    /// Checks a consumer registered with <c>AddKafkaConsumer</c>: Healthy while it has partitions and reaches the cluster;
    /// Degraded while it waits for partitions; <paramref name="failureStatus"/> when the cluster is unreachable.
    /// </summary>
    /// <typeparam name="TKey">The consumer's key type.</typeparam>
    /// <typeparam name="TValue">The consumer's value type.</typeparam>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="consumerName">The consumer's name, or null for the default consumer.</param>
    /// <param name="checkName">The check's name; defaults to <c>kafka-consumer[-NAME]</c>.</param>
    /// <param name="failureStatus">What a failure reports; Unhealthy by default.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddKafkaConsumerHealthCheck<TKey, TValue>(this IHealthChecksBuilder builder, string? consumerName = null,
        string? checkName = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(checkName ?? NameOf("kafka-consumer", consumerName),
            provider => new ConsumerHealthCheck<TKey, TValue>(Resolve<IKafkaConsumer<TKey, TValue>>(provider, consumerName)), failureStatus, tags));
    }

    /// <summary>
    /// Checks a hosted consumer (<c>AddKafkaConsumerHandler</c>): Healthy while it runs, holds partitions and reaches the
    /// cluster; Degraded while it waits for partitions or retries after an error such as an exceeded max poll interval;
    /// <paramref name="failureStatus"/> when the cluster is unreachable or the service stopped (with its fault).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The hosted consumer's name.</param>
    /// <param name="checkName">The check's name; defaults to <c>kafka-consumer-NAME</c>.</param>
    /// <param name="failureStatus">What a failure reports; Unhealthy by default.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddKafkaConsumerHealthCheck(this IHealthChecksBuilder builder, string name,
        string? checkName = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(checkName ?? NameOf("kafka-consumer", name),
            provider => new HostedConsumerHealthCheck(provider.GetRequiredKeyedService<HostedConsumerStatus>(name)), failureStatus, tags));
    }

    private static string NameOf(string kind, string? name) => name is null ? kind : $"{kind}-{name}";

    private static T Resolve<T>(IServiceProvider provider, string? name) where T : notnull =>
        name is null ? provider.GetRequiredService<T>() : provider.GetRequiredKeyedService<T>(name);
}
