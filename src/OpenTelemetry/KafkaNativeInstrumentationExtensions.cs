using KafkaNative;

namespace OpenTelemetry.Trace
{
    /// <summary>Adds KafkaNative's activities to an OpenTelemetry tracer provider.</summary>
    public static class KafkaNativeTracerProviderBuilderExtensions
    {
        /// <summary>
        /// Subscribes to KafkaNative's messaging activities: a <c>send</c> span per produced record, a <c>process</c>
        /// span per record handed to the application, a <c>receive</c> span per consumed batch. With
        /// <paramref name="includeProtocolRequests"/>, also one span per broker request (<see cref="KafkaTelemetry.ProtocolName"/>),
        /// detail meant for debugging.
        /// </summary>
        /// <param name="builder">The tracer provider builder.</param>
        /// <param name="includeProtocolRequests">Whether to record a span per broker request too; off by default.</param>
        /// <returns>The builder.</returns>
        public static TracerProviderBuilder AddKafkaNativeInstrumentation(this TracerProviderBuilder builder, bool includeProtocolRequests = false)
        {
            ArgumentNullException.ThrowIfNull(builder);
            builder.AddSource(KafkaTelemetry.Name);
            if (includeProtocolRequests) builder.AddSource(KafkaTelemetry.ProtocolName);
            return builder;
        }
    }
}

namespace OpenTelemetry.Metrics
{
    /// <summary>Adds KafkaNative's metrics to an OpenTelemetry meter provider.</summary>
    public static class KafkaNativeMeterProviderBuilderExtensions
    {
        /// <summary>
        /// Subscribes to KafkaNative's meter: <c>messaging.client.sent.messages</c>, <c>messaging.client.consumed.messages</c>,
        /// <c>messaging.client.operation.duration</c>, <c>messaging.process.duration</c> (hosted consumers),
        /// <c>messaging.kafka.consumer.lag</c>, and the client's <c>kafka.client.*</c> and <c>kafka.producer.*</c> instruments.
        /// </summary>
        /// <param name="builder">The meter provider builder.</param>
        /// <returns>The builder.</returns>
        public static MeterProviderBuilder AddKafkaNativeInstrumentation(this MeterProviderBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            return builder.AddMeter(KafkaTelemetry.Name);
        }
    }
}
