using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Milestones.ServiceDefaults;

/// <summary>Telemetry and health for every Milestones host, in the shape of eShop's ServiceDefaults.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of checks that say whether the process is alive (nothing external).</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of checks that say whether the process can take traffic (broker, store). MassTransit tags its bus check with it.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Tag of checks that say whether the process has finished starting.</summary>
    public const string StartupTag = "startup";

    public const string StartupPath = "/health/startup";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>Adds logging, OpenTelemetry and the liveness check. Extra sources and meters are the caller's own.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string[] activitySources, string[] meters)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureConsoleLogging();
        builder.ConfigureOpenTelemetry(activitySources, meters);
        builder.Services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Console logs that carry the trace: every line has the trace id, span id and parent id of the activity it was
    /// written in (as scope fields). JSON, one object a line, outside Development, for log collectors; the readable
    /// simple format in Development. <c>Logging:Console:FormatterName</c> still chooses when it is set.
    /// </summary>
    public static TBuilder ConfigureConsoleLogging<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddConsole();
        var configured = builder.Configuration["Logging:Console:FormatterName"];
        var formatter = string.IsNullOrWhiteSpace(configured)
            ? builder.Environment.IsDevelopment() ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json
            : configured;
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.FormatterName = formatter);
        builder.Services.Configure<SimpleConsoleFormatterOptions>(options => options.IncludeScopes = true);
        builder.Services.Configure<JsonConsoleFormatterOptions>(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder, string[] activitySources, string[] meters)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var console = options.ConsoleExporter;

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME wins; without it the service is named after the application (Milestones.Worker -> milestones-worker).
            .ConfigureResource(resource => resource.AddService(
                builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : DefaultServiceName(builder.Environment.ApplicationName)))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(meters);
                if (console.HasFlag(TelemetrySignals.Metrics))
                {
                    metrics.AddConsoleExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(activitySources)
                    .AddAspNetCoreInstrumentation(instrumentation =>
                        // Probes are polled every few seconds; their spans would drown the useful ones.
                        instrumentation.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase));
                if (console.HasFlag(TelemetrySignals.Traces))
                {
                    tracing.AddConsoleExporter();
                }
            });
        if (console.HasFlag(TelemetrySignals.Logs))
        {
            telemetry.WithLogging(logging => logging.AddConsoleExporter());
        }

        // Export only where a collector is named: endpoint, protocol, headers and intervals follow the OTEL_* variables.
        // Without one nothing leaves the process (the console exporter is opt-in, above).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// Maps the probes. <c>/health/startup</c> runs the checks tagged startup, <c>/health/live</c> only the liveness checks,
    /// <c>/health/ready</c> the checks tagged ready; each answers 503 unless all are healthy. ASP.NET maps Degraded to 200
    /// by default, and MassTransit reports a lost broker as Degraded, so Degraded is mapped to 503 here.
    /// With <see cref="HealthOptions.Port"/> set, the probes are served on that port only and nothing else is.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var port = app.Services.GetRequiredService<IOptions<HealthOptions>>().Value.Port;
        if (port != 0 && app.ListenOnProbePort(port))
        {
            app.Use(SeparateProbePort(port));
        }
        app.MapHealthChecks(StartupPath, Probe(StartupTag));
        app.MapHealthChecks(LivePath, Probe(LiveTag));
        app.MapHealthChecks(ReadyPath, Probe(ReadyTag));
        return app;
    }

    static HealthCheckOptions Probe(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    static bool IsProbe(PathString path) =>
        path.Equals(StartupPath, StringComparison.OrdinalIgnoreCase)
        || path.Equals(LivePath, StringComparison.OrdinalIgnoreCase)
        || path.Equals(ReadyPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Probes only on the probe port, everything else only off it, decided by the port the connection came in on (not
    /// the Host header, which a client chooses). A request without a socket (an in-process test server) has port 0 and
    /// passes.
    /// </summary>
    static Func<RequestDelegate, RequestDelegate> SeparateProbePort(int port) => next => context =>
    {
        var local = context.Connection.LocalPort;
        if (local == 0 || (local == port) == IsProbe(context.Request.Path))
        {
            return next(context);
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    };

    /// <summary>
    /// Adds the probe port to the addresses the server listens on. Addresses set in code replace those the host would
    /// read from configuration, so the configured ones (<c>urls</c>, else <c>http_ports</c>/<c>https_ports</c>, else
    /// Kestrel's default) are added first, in the host's own order. Returns false where the server has no addresses to
    /// set (an in-process test server). Endpoints configured under <c>Kestrel:Endpoints</c> replace all of these; a
    /// deployment that uses them names the probe port there too.
    /// </summary>
    static bool ListenOnProbePort(this WebApplication app, int port)
    {
        var addresses = app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.IsReadOnly)
        {
            return false;
        }
        if (addresses.Count == 0)
        {
            foreach (var url in ConfiguredUrls(app.Configuration))
            {
                addresses.Add(url);
            }
        }
        if (addresses.Any(url => PortOf(url) == port))
        {
            throw new InvalidOperationException($"Health:Port {port} is also an application port ({string.Join(';', addresses)}); give the probes a port of their own.");
        }
        addresses.Add($"http://*:{port}");
        return true;
    }

    /// <summary>The port of a server URL, whose host may be a wildcard (<c>*</c>, <c>+</c>) that <see cref="Uri"/> does not parse.</summary>
    static int? PortOf(string url)
    {
        var host = url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal);
        return Uri.TryCreate(host, UriKind.Absolute, out var uri) ? uri.Port : null;
    }

    static IEnumerable<string> ConfiguredUrls(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        var ports = ExpandPorts(configuration["http_ports"], "http").Concat(ExpandPorts(configuration["https_ports"], "https")).ToList();
        return ports.Count > 0 ? ports : ["http://localhost:5000"];
    }

    static IEnumerable<string> ExpandPorts(string? ports, string scheme) =>
        (ports ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(port => $"{scheme}://*:{port}");

    static string DefaultServiceName(string applicationName) =>
        applicationName.Replace('.', '-').ToLowerInvariant();
}
