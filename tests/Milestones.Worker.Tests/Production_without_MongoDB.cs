using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB;
using Milestones.Worker.Telemetry;
using MongoDB.Driver;

namespace Milestones.Worker.Tests;

/// <summary>
/// The worker in its Production configuration with MongoDB unreachable: it starts (the driver connects lazily),
/// stays alive, and refuses to report ready instead of falling back to another store.
/// </summary>
public sealed class Production_without_MongoDB : IAsyncLifetime
{
    const string Password = "Pa55-w0rd-SECRET-7f3a";

    readonly DirectoryInfo secrets = Directory.CreateTempSubdirectory("milestones-secrets-");
    WebApplicationFactory<Program> factory = null!;

    public ValueTask InitializeAsync()
    {
        // The secret file wins over the setting below, as a mounted Kubernetes secret wins over the environment.
        File.WriteAllText(Path.Combine(secrets.FullName, "MongoDb__ConnectionString"), FreePort.ClosedMongoDb("milestones-user", Password));
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("MILESTONES_SECRETS_DIR", secrets.FullName);
            builder.UseSetting("MongoDb:ConnectionString", $"mongodb://from-environment:{FreePort.Closed()}");
            builder.UseSetting("MongoDb:HealthCheckTimeout", "00:00:05");
            // Production refuses MongoDB without TLS; nothing answers on the port, so no handshake is ever tried.
            builder.UseSetting("MongoDb:UseTls", "true");
            builder.UseSetting("Messaging:Transport", "InMemory");
            // Production's query API needs a token issuer; nothing asks it for keys here.
            builder.UseSetting("Api:Authentication:Authority", "https://login.example.org/realms/milestones-tests");
            builder.UseSetting("Api:Authentication:Audience", "milestones-api");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Readiness_is_503_while_liveness_is_200()
    {
        using var client = factory.CreateClient();

        using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        using var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.DoesNotContain(Password, await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_is_the_MongoDB_check_that_fails_readiness()
    {
        _ = factory.Server;
        var report = await factory.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Tags.Contains(ServiceDefaults.ServiceDefaultsExtensions.ReadyTag), TestContext.Current.CancellationToken);

        var mongo = report.Entries[MongoDbStoreExtensions.HealthCheckName];
        Assert.Equal(HealthStatus.Unhealthy, mongo.Status);
        Assert.DoesNotContain(Password, mongo.Description ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void The_store_is_MongoDB_with_the_connection_string_of_the_secret_file()
    {
        var store = factory.Services.GetRequiredService<MongoMilestoneStore>();
        var options = factory.Services.GetRequiredService<IOptions<MongoDbOptions>>().Value;
        var client = factory.Services.GetRequiredService<IMongoClient>();

        var configuration = (IConfigurationRoot)factory.Services.GetRequiredService<IConfiguration>();
        Assert.Equal("InMemory", configuration["Messaging:Transport"]);
        // The lower-precedence value is there, and loses to the secret file.
        Assert.Contains(configuration.Providers, p => p.TryGet("MongoDb:ConnectionString", out var value) && value!.Contains("from-environment", StringComparison.Ordinal));
        // The ports are the MongoDB store under the tracing decorator (Milestones.Worker.Telemetry.StoreTracing).
        Assert.Same(store, Assert.IsType<TracingProjectStore>(factory.Services.GetRequiredService<IProjectStore>()).Inner);
        Assert.Same(store, Assert.IsType<TracingOutboxStore>(factory.Services.GetRequiredService<IOutboxStore>()).Inner);
        Assert.Same(store, factory.Services.GetRequiredService<IStoreMaintenance>());
        // Its outage rule is the one the worker holds messages by.
        Assert.IsType<MongoStoreOutage>(Assert.Single(factory.Services.GetServices<IStoreOutageClassifier>()));
        Assert.Contains(Password, options.ConnectionString, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", client.Settings.Server.Host);
        Assert.Equal("milestones", factory.Services.GetRequiredService<IMongoDatabase>().DatabaseNamespace.DatabaseName);
        Assert.Equal(WriteConcern.WValue.Parse("majority"), client.Settings.WriteConcern.W);
    }

    public async ValueTask DisposeAsync()
    {
        await factory.DisposeAsync();
        secrets.Delete(recursive: true);
    }
}
