using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>The connection string's password, with MongoDB unreachable: everything the store says about the failure leaves it out.</summary>
public sealed class Keeping_MongoDB_credentials_secret
{
    const string User = "milestones-user";
    const string Password = "Pa55-w0rd-SECRET-7f3a";

    [Fact]
    public async Task Password_never_appears_in_logs_health_results_or_errors()
    {
        var cancel = TestContext.Current.CancellationToken;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MongoDb:ConnectionString"] = FreePort.ClosedMongoDb(User, Password),
            ["MongoDb:HealthCheckTimeout"] = "00:00:05",
        });
        // Everything, the driver's own debug and trace output included.
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        builder.AddMongoDbStore("ready");
        using var host = builder.Build();
        var collector = host.Services.GetFakeLogCollector();

        await host.StartAsync(cancel);
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(cancel);
        var failure = await Record.ExceptionAsync(() => host.Services.GetRequiredService<MongoMilestoneStore>().LoadProject(TestCatalog.Hub, cancel));
        await Poll.Until(() => collector.GetSnapshot().Any(r => r.Category == typeof(MongoStoreInitializer).FullName && r.Level == LogLevel.Warning),
            TimeSpan.FromSeconds(60), "the initializer's warning");
        await host.StopAsync(cancel);

        var check = report.Entries[MongoDbStoreExtensions.HealthCheckName];
        Assert.Equal(HealthStatus.Unhealthy, check.Status);
        Assert.Contains("127.0.0.1", check.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, check.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, check.Exception?.ToString() ?? "", StringComparison.Ordinal);
        Assert.NotNull(failure);
        Assert.DoesNotContain(Password, failure.ToString(), StringComparison.Ordinal);

        var records = collector.GetSnapshot();
        Assert.Contains(records, r => r.Level == LogLevel.Warning && r.Message.Contains("127.0.0.1", StringComparison.Ordinal));
        Assert.All(records, r =>
        {
            Assert.DoesNotContain(Password, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, r.Exception?.ToString() ?? "", StringComparison.Ordinal);
            Assert.All(r.StructuredState ?? [], pair => Assert.DoesNotContain(Password, pair.Value ?? "", StringComparison.Ordinal));
        });
    }
}
