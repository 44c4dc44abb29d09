using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Milestones.Domain.Storage;

namespace Milestones.Storage.Sqlite;

public static class SqliteStoreExtensions
{
    /// <summary>Name of the readiness check.</summary>
    public const string HealthCheckName = "sqlite";

    /// <summary>
    /// Registers the embedded store, <see cref="SqliteMilestoneStore"/>: options from the <c>Storage:Sqlite</c> section
    /// (validated at start), the store on the file they name, a check tagged <paramref name="readyTag"/> that reads it,
    /// and its outage rule (<see cref="SqliteStoreOutage"/>). A relative <see cref="SqliteStoreOptions.Path"/> is relative to the content root, whatever the working
    /// directory; a rooted one is taken as it is. The host registers the store ports over it.
    /// <code>{ "Storage": { "Provider": "Sqlite", "Sqlite": { "Path": "data/milestones.db" } } }</code>
    /// </summary>
    public static IHostApplicationBuilder AddSqliteStore(this IHostApplicationBuilder builder, string readyTag)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddOptions<SqliteStoreOptions>().BindConfiguration(SqliteStoreOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value;
            // Path.Combine keeps a rooted second path as it is.
            return new SqliteMilestoneStore(Path.Combine(contentRoot, options.Path), maxSize: options.MaxSize);
        });
        services.AddSingleton<IStoreOutageClassifier, SqliteStoreOutage>();
        services.AddHealthChecks().AddCheck<SqliteStoreHealthCheck>(HealthCheckName, HealthStatus.Unhealthy, [readyTag]);
        return builder;
    }
}
