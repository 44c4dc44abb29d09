using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Milestones.Worker.Tests;

/// <summary>
/// The worker as composed by Program.cs, on the embedded default (Development unless told otherwise), with MassTransit's test harness in
/// place of the transport and a SQLite file of its own. One per test: scenarios never share a harness or a store.
/// </summary>
sealed class WorkerFactory : WebApplicationFactory<Program>
{
    readonly Dictionary<string, string?> settings;
    readonly Action<IServiceCollection>? services;
    readonly string environment;

    public WorkerFactory(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? databasePath = null,
        string environment = "Development")
    {
        this.environment = environment;
        DatabasePath = databasePath ?? Path.Combine(Path.GetTempPath(), "milestones-tests", $"{Guid.NewGuid():N}.db");
        this.settings = new Dictionary<string, string?>
        {
            ["Storage:Sqlite:Path"] = DatabasePath,
            ["Outbox:PollInterval"] = "00:00:00.100",
            // Development writes every span to the console; tests read spans, if at all, from an exporter of their own.
            ["Telemetry:ConsoleExporter"] = "None",
            // The catalog's 2023 due dates are long past: a watch would record overdue findings into every test's store
            // and outbox. The tests of the watch turn it on.
            ["Schedule:Enabled"] = "false",
        };
        if (environment != "Development")
        {
            // Outside Development the query API requires a token issuer; nothing here is asked for keys unless a test
            // calls the API with a token, and such tests name their own (TestIdentityProvider).
            this.settings["Api:Authentication:Authority"] = "https://login.example.org/realms/milestones-tests";
            this.settings["Api:Authentication:Audience"] = TestIdentityProvider.Audience;
        }
        foreach (var (key, value) in settings ?? [])
        {
            this.settings[key] = value;
        }
        this.services = services;
    }

    public string DatabasePath { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(s =>
        {
            // The harness ends a wait after this much quiet; a shared 2-core machine under load can be quiet that
            // long between publish and fault, so the default (about a second) made positive checks flaky.
            s.AddMassTransitTestHarness(x => x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(5)));
            services?.Invoke(s);
        });
    }

    public ITestHarness Harness => Services.GetRequiredService<ITestHarness>();

    /// <summary>Starts the host (and with it the bus and the outbox dispatcher) and returns the harness.</summary>
    public async Task<ITestHarness> Start()
    {
        _ = Server;
        var harness = Harness;
        await harness.Start();
        return harness;
    }
}
