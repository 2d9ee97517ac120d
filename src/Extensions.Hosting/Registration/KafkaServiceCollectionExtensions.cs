using KafkaNative;
using KafkaNative.Extensions.Hosting.Configuration;
using KafkaNative.Extensions.Hosting.Registration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers KafkaNative producers and consumers in a service collection. Settings come from
/// configuration (by default <c>Kafka:Producers:NAME</c> / <c>Kafka:Consumers:NAME</c>, or
/// <c>Kafka:Producer</c> / <c>Kafka:Consumer</c> for the unnamed client), then from the code's
/// <c>configure</c>; the container's <see cref="Logging.ILoggerFactory"/> and <see cref="TimeProvider"/> are used
/// when registered. Bad settings stop the host at start with a message naming them.
/// </summary>
public static class KafkaServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IKafkaProducer{TKey, TValue}"/>: keyed by <paramref name="name"/>, or
    /// the unkeyed default when the name is null. The container disposes it, which flushes what is buffered
    /// (up to <see cref="ProducerOptions.CloseTimeout"/>).
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The producer's name (its service key and configuration section), or null for the default producer.</param>
    /// <param name="configure">Changes the options after configuration was bound; may be null.</param>
    /// <param name="configuration">The section to bind instead of the default path; null for the default.</param>
    /// <param name="keySerializer">The key serializer; null for an <see cref="ISerializer{T}"/> from the container (keyed by name, then unkeyed), else the built-in one.</param>
    /// <param name="valueSerializer">The value serializer; found the same way.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKafkaProducer<TKey, TValue>(this IServiceCollection services, string? name = null,
        Action<ProducerOptions>? configure = null, IConfiguration? configuration = null,
        ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        string key = name ?? Options.Options.DefaultName;
        KafkaOptionsRegistration.Add(services, key, configuration, KafkaOptionsRegistration.DefaultPath("Producer", key), configure, KafkaSettings.Producer);
        IKafkaProducer<TKey, TValue> Create(IServiceProvider provider) => new KafkaProducer<TKey, TValue>(
            provider.GetRequiredService<IOptionsMonitor<ProducerOptions>>().Get(key),
            keySerializer ?? ServiceLookup.Find<ISerializer<TKey>>(provider, key),
            valueSerializer ?? ServiceLookup.Find<ISerializer<TValue>>(provider, key));
        if (name is null) services.AddSingleton(Create);
        else services.AddKeyedSingleton(name, (provider, _) => Create(provider));
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="IKafkaConsumer{TKey, TValue}"/>: keyed by <paramref name="name"/>, or the
    /// unkeyed default when the name is null. The application subscribes or assigns and consumes it; the
    /// container disposes it (committing and leaving the group). For a consumer that runs a handler for
    /// every record, see <c>AddKafkaConsumerHandler</c>.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The consumer's name (its service key and configuration section), or null for the default consumer.</param>
    /// <param name="configure">Changes the options after configuration was bound; may be null.</param>
    /// <param name="configuration">The section to bind instead of the default path; null for the default.</param>
    /// <param name="keyDeserializer">The key deserializer; null for an <see cref="IDeserializer{T}"/> from the container (keyed by name, then unkeyed), else the built-in one.</param>
    /// <param name="valueDeserializer">The value deserializer; found the same way.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKafkaConsumer<TKey, TValue>(this IServiceCollection services, string? name = null,
        Action<ConsumerOptions>? configure = null, IConfiguration? configuration = null,
        IDeserializer<TKey>? keyDeserializer = null, IDeserializer<TValue>? valueDeserializer = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        string key = name ?? Options.Options.DefaultName;
        KafkaOptionsRegistration.Add(services, key, configuration, KafkaOptionsRegistration.DefaultPath("Consumer", key), configure, KafkaSettings.Consumer);
        IKafkaConsumer<TKey, TValue> Create(IServiceProvider provider) => new KafkaConsumer<TKey, TValue>(
            provider.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get(key),
            keyDeserializer ?? ServiceLookup.Find<IDeserializer<TKey>>(provider, key),
            valueDeserializer ?? ServiceLookup.Find<IDeserializer<TValue>>(provider, key));
        if (name is null) services.AddSingleton(Create);
        else services.AddKeyedSingleton(name, (provider, _) => Create(provider));
        return services;
    }
}
