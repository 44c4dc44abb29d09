using OpenTelemetry.Trace;

namespace Milestones.Worker.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// The worker's tracing beyond the service defaults: W3C trace context across the broker and spans around the store.
    /// Call after the store is added (the store is decorated).
    /// </summary>
    public static IHostApplicationBuilder AddWorkerTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddW3CTraceContext());
        builder.Services.AddStoreTracing();
        return builder;
    }
}
