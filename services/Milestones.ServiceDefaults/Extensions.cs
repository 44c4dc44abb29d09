using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Milestones.ServiceDefaults;

/// <summary>Telemetry and health for every Milestones host, in the shape of eShop's ServiceDefaults.</summary>
public static class Extensions
{
    /// <summary>Tag of checks that say whether the process is alive (nothing external).</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of checks that say whether the process can take traffic (broker, store). MassTransit tags its bus check with it.</summary>
    public const string ReadyTag = "ready";

    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>Adds OpenTelemetry and the liveness check. Extra sources and meters are the caller's own.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string[] activitySources, string[] meters)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureOpenTelemetry(activitySources, meters);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, string[] activitySources, string[] meters)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(meters))
            .WithTracing(tracing => tracing
                .AddSource(activitySources)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes are polled every few seconds; their spans would drown the useful ones.
                    options.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)));

        // Export only where a collector is named, following the OTEL_* environment variables.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// Maps the probes: <c>/health/live</c> runs only the liveness checks; <c>/health/ready</c> runs the checks
    /// tagged ready and answers 503 unless all are healthy. ASP.NET maps Degraded to 200 by default, and
    /// MassTransit reports a lost broker as Degraded, so Degraded is mapped to 503 here.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }
}
