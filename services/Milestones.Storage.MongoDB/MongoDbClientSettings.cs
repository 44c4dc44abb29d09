using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using MongoDB.Driver.Core.Configuration;

namespace Milestones.Storage.MongoDB;

/// <summary>Turns <see cref="MongoDbOptions"/> into the driver's client settings, and describes the target without its credentials.</summary>
public static class MongoDbClientSettings
{
    /// <summary>The driver's own ActivitySource (driver 3.7+): add it to the tracer so its spans are exported.</summary>
    public const string ActivitySourceName = MongoTelemetry.ActivitySourceName;

    /// <summary>Client settings from the connection string, with the options' durability, TLS and tracing applied over it.</summary>
    public static MongoClientSettings Create(MongoDbOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = MongoClientSettings.FromUrl(Parse(options.ConnectionString));
        settings.WriteConcern = CreateWriteConcern(options);
        settings.RetryWrites = options.RetryWrites;
        settings.RetryReads = true;
        if (options.UseTls is { } useTls)
        {
            settings.UseTls = useTls;
        }
        MongoDbTls.Apply(settings, options, loggerFactory);
        if (options.ServerSelectionTimeout is { } serverSelectionTimeout)
        {
            settings.ServerSelectionTimeout = serverSelectionTimeout;
        }
        // No wait without an end: server selection (driver default 30 s), the connection's reply, the write concern.
        settings.SocketTimeout = options.SocketTimeout;
        // Spans are created only while a listener (the OpenTelemetry tracer) subscribes to the driver's ActivitySource.
        settings.TracingOptions = new TracingOptions { Disabled = false, QueryTextMaxLength = options.TraceQueryTextMaxLength };
        if (loggerFactory is not null)
        {
            settings.LoggingSettings = new LoggingSettings(loggerFactory);
        }
        return settings;
    }

    /// <summary>The write concern of every write: w, journal and timeout from the options, whatever the connection string says.</summary>
    public static WriteConcern CreateWriteConcern(MongoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var w = int.TryParse(options.WriteConcern, out var count) ? (WriteConcern.WValue)new WriteConcern.WCount(count) : new WriteConcern.WMode(options.WriteConcern);
        return new WriteConcern(w, options.WriteConcernTimeout, fsync: null, journal: options.Journal);
    }

    /// <summary>
    /// Hosts and database, for log lines and health descriptions. Built from the parsed parts, never from the
    /// string itself, so a password in the connection string cannot leak through it.
    /// </summary>
    public static string Describe(MongoDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!TryParse(options.ConnectionString, out var url))
        {
            return $"(invalid connection string)/{options.DatabaseName}";
        }
        var hosts = string.Join(',', url.Servers.Select(s => $"{s.Host}:{s.Port}"));
        return $"{url.Scheme switch { ConnectionStringScheme.MongoDBPlusSrv => "mongodb+srv", _ => "mongodb" }}://{hosts}/{options.DatabaseName}";
    }

    internal static bool TryParse(string? connectionString, out MongoUrl url)
    {
        url = null!;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }
        try
        {
            url = MongoUrl.Create(connectionString);
            return true;
        }
        catch (Exception ex) when (ex is MongoConfigurationException or ArgumentException or FormatException)
        {
            return false;
        }
    }

    static MongoUrl Parse(string connectionString) =>
        TryParse(connectionString, out var url)
            ? url
            // The driver's own message may quote the string, password included: say only which setting is wrong.
            : throw new MongoConfigurationException($"{MongoDbOptions.SectionName}:ConnectionString is not a valid MongoDB connection string.");
}
