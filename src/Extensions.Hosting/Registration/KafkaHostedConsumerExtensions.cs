using System.Diagnostics.CodeAnalysis;
using KafkaNative;
using KafkaNative.Extensions.Hosting;
using KafkaNative.Extensions.Hosting.Configuration;
using KafkaNative.Extensions.Hosting.Registration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers hosted consumers: background services that subscribe and run a handler from the container
/// for every record (or batch), with ordered parallelism, retries, a dead-letter topic, commits of
/// handled records only, and a graceful stop. See <see cref="KafkaHandlerOptions"/>.
/// </summary>
public static class KafkaHostedConsumerExtensions
{
    /// <summary>
    /// Registers a hosted consumer that runs <typeparamref name="THandler"/> (scoped, one scope per record) for every record.
    /// Settings: the consumer's at <c>Kafka:Consumers:NAME</c> (or <paramref name="configuration"/>), the handler's in its
    /// <c>Handler</c> sub-section; <see cref="ConsumerOptions.GroupId"/> is required, and <see cref="ConsumerOptions.EnableAutoOffsetStore"/>
    /// is turned off (the service stores offsets as records are done).
    /// </summary>
    /// <remarks>
    /// Errors the consumer recovers from (cluster unreachable, max poll interval exceeded) are logged and consuming goes
    /// on after a backoff; the health check reports them. An error it keeps raising (a fenced member) or a bug stops the
    /// service, and with the default <c>HostOptions.BackgroundServiceExceptionBehavior</c> the host with it.
    /// </remarks>
    /// <typeparam name="TKey">The key type the handler sees.</typeparam>
    /// <typeparam name="TValue">The value type the handler sees.</typeparam>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The hosted consumer's name: its configuration section and health check.</param>
    /// <param name="configureHandler">Changes the handler settings after binding (topics, concurrency, retries); may be null.</param>
    /// <param name="configureConsumer">Changes the consumer options after binding; may be null.</param>
    /// <param name="configuration">The consumer's section to bind instead of the default path; null for the default.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKafkaConsumerHandler<TKey, TValue, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
        this IServiceCollection services, string name, Action<KafkaHandlerOptions>? configureHandler = null,
        Action<ConsumerOptions>? configureConsumer = null, IConfiguration? configuration = null)
        where THandler : class, IKafkaMessageHandler<TKey, TValue>
    {
        AddHosted(services, name, configureHandler, configureConsumer, configuration);
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(provider => new MessageHandlerService<TKey, TValue, THandler>(name, provider));
        return services;
    }

    /// <summary>
    /// Registers a hosted consumer that runs <typeparamref name="THandler"/> (scoped, one scope per batch) for every batch: a
    /// partition's run of records as <see cref="KafkaConsumer{TKey, TValue}.ConsumeBatchesAsync"/> reads them. Settings as for
    /// <see cref="AddKafkaConsumerHandler{TKey, TValue, THandler}"/>; <see cref="KafkaHandlerOptions.MaxConcurrency"/> counts partitions.
    /// </summary>
    /// <typeparam name="TKey">The key type the handler sees.</typeparam>
    /// <typeparam name="TValue">The value type the handler sees.</typeparam>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The hosted consumer's name: its configuration section and health check.</param>
    /// <param name="configureHandler">Changes the handler settings after binding; may be null.</param>
    /// <param name="configureConsumer">Changes the consumer options after binding; may be null.</param>
    /// <param name="configuration">The consumer's section to bind instead of the default path; null for the default.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKafkaBatchConsumerHandler<TKey, TValue, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
        this IServiceCollection services, string name, Action<KafkaHandlerOptions>? configureHandler = null,
        Action<ConsumerOptions>? configureConsumer = null, IConfiguration? configuration = null)
        where THandler : class, IKafkaBatchHandler<TKey, TValue>
    {
        AddHosted(services, name, configureHandler, configureConsumer, configuration);
        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(provider => new BatchHandlerService<TKey, TValue, THandler>(name, provider));
        return services;
    }

    private static void AddHosted(IServiceCollection services, string name, Action<KafkaHandlerOptions>? configureHandler,
        Action<ConsumerOptions>? configureConsumer, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        string path = KafkaOptionsRegistration.DefaultPath("Consumer", name);
        KafkaOptionsRegistration.Add(services, name, configuration, path, configureConsumer, KafkaSettings.Consumer);
        services.PostConfigure<ConsumerOptions>(name, options => options.EnableAutoOffsetStore = false);
        KafkaOptionsRegistration.AddValidator(services, new HostedConsumerOptionsValidator(name));

        services.AddOptions<KafkaHandlerOptions>(name)
            .Configure<IServiceProvider>((options, provider) =>
            {
                IConfiguration? source = configuration?.GetSection(KafkaHandlerOptions.SectionName)
                    ?? provider.GetService<IConfiguration>()?.GetSection($"{path}:{KafkaHandlerOptions.SectionName}");
                if (source is not null) KafkaOptionsRegistration.BindOrThrow(source, options, KafkaSettings.Handler, name);
                configureHandler?.Invoke(options);
            })
            .ValidateOnStart();
        KafkaOptionsRegistration.AddValidator(services, new HandlerOptionsValidator(name));
        services.AddKeyedSingleton(name, (_, _) => new HostedConsumerStatus(name));
    }
}
