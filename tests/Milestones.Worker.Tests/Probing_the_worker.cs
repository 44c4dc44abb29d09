using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Probes = Milestones.ServiceDefaults.ServiceDefaultsExtensions;

namespace Milestones.Worker.Tests;

/// <summary>The Kubernetes probes: on their own port, what each one checks, and what they say with the broker away.</summary>
public class Probing_the_worker
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Probes_answer_on_the_probe_port_and_the_api_on_the_app_port_only()
    {
        await using var worker = await WorkerHost.Start([]);
        using var probes = worker.Probes();
        using var app = worker.App();

        foreach (var path in new[] { Probes.StartupPath, Probes.LivePath, Probes.ReadyPath })
        {
            Assert.Equal(HttpStatusCode.OK, (await probes.GetAsync(path, Cancel)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync(path, Cancel)).StatusCode);
        }
        // The API is there, and in Production asks for a token; the probes never do.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/projects", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await probes.GetAsync("/projects", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await probes.GetAsync("/projects/subway-16-south", Cancel)).StatusCode);
    }

    [Fact]
    public async Task A_host_header_naming_the_probe_port_does_not_open_the_probes_on_the_app_port()
    {
        await using var worker = await WorkerHost.Start([]);
        using var app = worker.App();
        using var request = new HttpRequestMessage(HttpMethod.Get, Probes.LivePath);
        request.Headers.Host = $"localhost:{worker.ProbePort}";

        var response = await app.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task In_development_the_probes_share_the_app_port()
    {
        await using var worker = await WorkerHost.Start(new() { ["Health:Port"] = "0" }, environment: "Development");
        using var app = new HttpClient { BaseAddress = new Uri(worker.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Single()) };

        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync(Probes.ReadyPath, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/projects", Cancel)).StatusCode);
    }

    [Fact]
    public void A_probe_port_that_is_also_the_app_port_is_refused_at_start()
    {
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);

        var error = Assert.Throws<InvalidOperationException>(() => WorkerHost.Build(new() { ["urls"] = $"http://127.0.0.1:{port}", ["Health:Port"] = port }));

        Assert.Contains($"Health:Port {port} is also an application port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_broker_unreachable_the_worker_stays_up_live_and_started_but_not_ready()
    {
        await using var worker = await WorkerHost.Start(new()
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["RabbitMqTransport:Host"] = "127.0.0.1",
            ["RabbitMqTransport:Port"] = FreePort.Closed().ToString(CultureInfo.InvariantCulture),
            // Not the default guest/guest, which Production refuses; nothing answers on the port anyway.
            ["RabbitMqTransport:User"] = "milestones-worker",
            ["RabbitMqTransport:Pass"] = "unused",
            // Nor plaintext AMQP, unless told.
            ["Security:AllowInsecureTransport"] = "true",
        });
        using var probes = worker.Probes();

        // The bus keeps trying to connect in the background; readiness says so as soon as the bus has reported.
        await Poll.Until(async () => (await probes.GetAsync(Probes.ReadyPath, Cancel)).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "readiness to report the unreachable broker");

        Assert.Equal(HttpStatusCode.OK, (await probes.GetAsync(Probes.LivePath, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await probes.GetAsync(Probes.StartupPath, Cancel)).StatusCode);
        Assert.False(worker.Lifetime.ApplicationStopping.IsCancellationRequested, "the worker must not stop because the broker is away");
        var report = await worker.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Tags.Contains(Probes.ReadyTag), Cancel);
        Assert.NotEqual(HealthStatus.Healthy, report.Entries.Single(e => e.Value.Tags.Contains("masstransit")).Value.Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["sqlite"].Status);
    }

    [Fact]
    public async Task Readiness_covers_the_bus_and_the_store_and_liveness_nothing_external()
    {
        await using var worker = await WorkerHost.Start([]);
        var checks = worker.Services.GetRequiredService<HealthCheckService>();

        var ready = await checks.CheckHealthAsync(check => check.Tags.Contains(Probes.ReadyTag), Cancel);
        var live = await checks.CheckHealthAsync(check => check.Tags.Contains(Probes.LiveTag), Cancel);

        Assert.Contains(ready.Entries, e => e.Value.Tags.Contains("masstransit"));
        Assert.Contains("sqlite", ready.Entries.Keys);
        Assert.Equal(["self"], live.Entries.Keys);
    }

    [Fact]
    public async Task Startup_is_unhealthy_until_the_host_has_started_and_healthy_after()
    {
        await using var worker = WorkerHost.Build([]);
        var checks = worker.Services.GetRequiredService<HealthCheckService>();
        static bool Startup(HealthCheckRegistration check) => check.Tags.Contains(Probes.StartupTag);

        var before = await checks.CheckHealthAsync(Startup, Cancel);
        await worker.StartAsync();
        var after = await checks.CheckHealthAsync(Startup, Cancel);

        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal(HealthStatus.Healthy, after.Status);
        Assert.Equal(["startup"], after.Entries.Keys);
    }
}
