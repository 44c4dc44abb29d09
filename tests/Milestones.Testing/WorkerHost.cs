using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Milestones.ServiceDefaults;
using Milestones.Worker;
using Milestones.Worker.Api;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Milestones.Testing;

/// <summary>
/// The worker composed as Program.cs composes it, on real Kestrel sockets (the probe port is a real port), with the
/// repository's appsettings*.json, overrides on top, and OpenTelemetry's in-memory exporter added to what the
/// service defaults configure. A SQLite file of its own; Production unless told otherwise.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    readonly WebApplication app;

    WorkerHost(WebApplication app, int probePort, SpanCollection spans, List<MetricSnapshot> metrics)
    {
        this.app = app;
        ProbePort = probePort;
        Spans = spans;
        Metrics = metrics;
    }

    /// <summary>Spans exported by this host's tracer provider (from every host in the process: pick by trace id).</summary>
    public SpanCollection Spans { get; }

    /// <summary>Metrics exported by this host's meter provider, after <see cref="FlushMetrics"/>.</summary>
    public List<MetricSnapshot> Metrics { get; }

    public int ProbePort { get; }

    public IServiceProvider Services => app.Services;

    public IHostApplicationLifetime Lifetime => app.Lifetime;

    /// <summary>The application's own port (not the probe port), known once started.</summary>
    public int AppPort => app.Urls.Select(url => new Uri(url).Port).First(port => port != ProbePort);

    public HttpClient App() => new() { BaseAddress = new Uri($"http://127.0.0.1:{AppPort}") };

    public HttpClient Probes() => new() { BaseAddress = new Uri($"http://127.0.0.1:{ProbePort}") };

    /// <summary>Builds the worker; <see cref="StartAsync"/> starts it.</summary>
    public static WorkerHost Build(Dictionary<string, string?> settings, string environment = "Production", Action<IServiceCollection>? services = null)
    {
        var probePort = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ApplicationName = "Milestones.Worker",
            ContentRootPath = Paths.WorkerProject,
        });
        var configuration = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            [$"{HealthOptions.SectionName}:Port"] = probePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage:Provider"] = "Sqlite",
            ["Storage:Sqlite:Path"] = Paths.NewDatabase(),
            ["Messaging:Transport"] = "InMemory",
            ["Outbox:PollInterval"] = "00:00:00.100",
            // The catalog's 2023 due dates are long past: the watch would add overdue findings to the outbox and the traces.
            ["Schedule:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (environment != "Development")
        {
            // Outside Development the query API needs a token issuer; nothing asks it for keys unless a token is sent.
            configuration["Api:Authentication:Authority"] = "https://login.example.org/realms/milestones-tests";
            configuration["Api:Authentication:Audience"] = "milestones-api";
        }
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(configuration);

        builder.AddApplicationServices();
        builder.AddQueryApi();

        var spans = new SpanCollection();
        var metrics = new List<MetricSnapshot>();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
        builder.Services.ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics));
        services?.Invoke(builder.Services);

        var app = builder.Build();
        try
        {
            app.UseProblemResponses();
            app.MapDefaultEndpoints();
            app.UseQueryApi();
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        return new WorkerHost(app, probePort, spans, metrics);
    }

    public Task StartAsync() => app.StartAsync(TestContext.Current.CancellationToken);

    public static async Task<WorkerHost> Start(Dictionary<string, string?> settings, string environment = "Production", Action<IServiceCollection>? services = null)
    {
        var host = Build(settings, environment, services);
        await host.StartAsync();
        return host;
    }

    /// <summary>Exports what the meters hold now into <see cref="Metrics"/>.</summary>
    public void FlushMetrics() => app.Services.GetRequiredService<MeterProvider>().ForceFlush();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
