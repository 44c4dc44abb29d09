using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Milestones.ServiceDefaults;
using Milestones.Worker.Api;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>
/// The worker's own host, built the way Program.cs builds it, in the Production environment on RabbitMQ and a SQLite
/// file of its own, inside the test process: so a test can wrap a service (a failing store) and read the log lines.
/// </summary>
public sealed class InProcessWorker : IAsyncDisposable
{
    readonly WebApplication app;
    readonly TempDirectory directory;

    InProcessWorker(WebApplication app, TempDirectory directory, LogSink logs, StoreReader store)
    {
        this.app = app;
        this.directory = directory;
        Logs = logs;
        Store = store;
        Http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        Http.DefaultRequestHeaders.Authorization = TestTokens.Bearer();
    }

    public LogSink Logs { get; }

    public StoreReader Store { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>Settings every in-process worker gets: short retries, leases and stop timeouts keep the tests quick.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> TestDefaults(TempDirectory directory) =>
    [
        // Probes on the app port (Health:Port 0): one address to poll, and no clash over 8081 between workers side by side.
        new("Health:Port", "0"),
        new("Storage:Provider", "Sqlite"),
        new("Storage:Sqlite:Path", directory.File("milestones.db")),
        new("Messaging:RetryLimit", "3"),
        new("Messaging:RetryMinInterval", "00:00:00.050"),
        new("Messaging:RetryMaxInterval", "00:00:00.400"),
        new("Messaging:RetryIntervalDelta", "00:00:00.050"),
        new("Messaging:StopTimeout", "00:00:05"),
        new("Outbox:PollInterval", "00:00:00.200"),
        new("Outbox:Lease", "00:00:02"),
        new("Outbox:PublishTimeout", "00:00:02"),
        // The catalog's 2023 due dates are long past: the watch would add overdue findings to every scenario's outbox.
        new("Schedule:Enabled", "false"),
        new("Logging:LogLevel:Default", "Information"),
        new("Logging:LogLevel:MassTransit", "Information"),
        new("Logging:LogLevel:Milestones.Worker.Consumers", "Debug"),
        .. TestTokens.Settings(),
    ];

    public static async Task<InProcessWorker> Start(
        TestVirtualHost vhost,
        Action<IServiceCollection>? services = null,
        IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var directory = Paths.NewTempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = Paths.WorkerDirectory,
            ApplicationName = "Milestones.Worker",
        });
        builder.Configuration.AddInMemoryCollection(TestDefaults(directory).Concat(vhost.TransportSettings()));
        // A source of their own: a test's settings override the defaults and the transport's (another user, say).
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        var logs = new LogSink();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        builder.AddApplicationServices();
        builder.AddQueryApi();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseProblemResponses();
        app.MapDefaultEndpoints();
        app.UseQueryApi();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var worker = new InProcessWorker(app, directory, logs, new StoreReader(directory.File("milestones.db")));
        await worker.WaitUntilReady();
        return worker;
    }

    public async Task WaitUntilReady() =>
        await Poll.Until(async () => (await Http.GetAsync(Milestones.ServiceDefaults.ServiceDefaultsExtensions.ReadyPath, TestContext.Current.CancellationToken)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), () => "the in-process worker never became ready");

    /// <summary>Log lines of the consumer that mention an event id.</summary>
    public IReadOnlyList<CapturedLog> ConsumerLines(Guid eventId) =>
        Logs.Entries.Where(e => e.Category.EndsWith("MilestoneReachedConsumer", StringComparison.Ordinal) && e.Message.Contains(eventId.ToString(), StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        directory.Dispose();
    }
}
