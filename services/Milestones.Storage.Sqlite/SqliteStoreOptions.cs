using System.ComponentModel.DataAnnotations;

namespace Milestones.Storage.Sqlite;

/// <summary>
/// Settings of the embedded store, bound from the <c>Storage:Sqlite</c> section:
/// <code>{ "Storage": { "Provider": "Sqlite", "Sqlite": { "Path": "data/milestones.db" } } }</code>
/// </summary>
public sealed class SqliteStoreOptions
{
    public const string SectionName = "Storage:Sqlite";

    /// <summary>Database file; relative paths are relative to the working directory. Default <c>data/milestones.db</c>.</summary>
    [Required]
    public string Path { get; set; } = "data/milestones.db";
}
