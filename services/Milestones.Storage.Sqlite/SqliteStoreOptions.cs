using System.ComponentModel.DataAnnotations;

namespace Milestones.Storage.Sqlite;

/// <summary>
/// Settings of the embedded store, bound from the <c>Storage:Sqlite</c> section:
/// <code>{ "Storage": { "Provider": "Sqlite", "Sqlite": { "Path": "data/milestones.db" } } }</code>
/// </summary>
public sealed class SqliteStoreOptions
{
    public const string SectionName = "Storage:Sqlite";

    /// <summary>Database file; a relative path is relative to the content root (<see cref="SqliteStoreExtensions.AddSqliteStore"/>). Default <c>data/milestones.db</c>.</summary>
    [Required]
    public string Path { get; set; } = "data/milestones.db";

    /// <summary>
    /// Largest size of the database file in bytes, or null (the default) for none. Past it a write fails as on a full
    /// disk: the store is in an outage (messages held and retried, readiness 503) until the limit is raised or the
    /// worker restarted with a higher one. Keeps the store from filling a volume it shares.
    /// </summary>
    [Range(1_048_576d, double.MaxValue)]
    public long? MaxSize { get; set; }
}
