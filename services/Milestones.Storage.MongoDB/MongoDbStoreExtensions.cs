using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Milestones.Domain.Storage;
using MongoDB.Driver;

namespace Milestones.Storage.MongoDB;

public static class MongoDbStoreExtensions
{
    /// <summary>Name of the readiness check.</summary>
    public const string HealthCheckName = "mongodb";

    /// <summary>
    /// Registers the MongoDB store, <see cref="MongoMilestoneStore"/>: options from the <c>MongoDb</c> section (validated
    /// at start), one <see cref="IMongoClient"/> and <see cref="IMongoDatabase"/>, the index initializer, a ping check
    /// tagged <paramref name="readyTag"/> and its outage rule (<see cref="MongoStoreOutage"/>). The driver connects lazily, so startup neither waits for nor fails on
    /// an unreachable server: readiness reports it. The host registers the store ports over it.
    /// <code>{ "MongoDb": { "ConnectionString": "(secret)", "DatabaseName": "milestones" } }</code>
    /// </summary>
    public static IHostApplicationBuilder AddMongoDbStore(this IHostApplicationBuilder builder, string readyTag)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<MongoDbOptions>().BindConfiguration(MongoDbOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<MongoDbOptions>, MongoDbOptionsValidator>();
        services.AddSingleton<IMongoClient>(sp => new MongoClient(
            MongoDbClientSettings.Create(sp.GetRequiredService<IOptions<MongoDbOptions>>().Value, sp.GetService<ILoggerFactory>())));
        services.AddSingleton(sp => sp.GetRequiredService<IMongoClient>().GetDatabase(sp.GetRequiredService<IOptions<MongoDbOptions>>().Value.DatabaseName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new MongoMilestoneStore(sp.GetRequiredService<IMongoDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IStoreOutageClassifier, MongoStoreOutage>();
        services.AddSingleton<MongoStoreReadiness>();
        services.AddHostedService<MongoStoreInitializer>();
        services.AddHealthChecks().AddCheck<MongoStoreHealthCheck>(HealthCheckName, HealthStatus.Unhealthy, [readyTag]);
        return builder;
    }
}
