using OpenTelemetry.Trace;

namespace Milestones.Worker.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// The worker's tracing beyond the service defaults: W3C trace context across the broker. The spans around the store
    /// come with the store ports (<see cref="StoreTracing.AddTracedStorePorts{TStore}"/>).
    /// </summary>
    public static IHostApplicationBuilder AddWorkerTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddW3CTraceContext());
        return builder;
    }
}
