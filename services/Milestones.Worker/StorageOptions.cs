using System.ComponentModel.DataAnnotations;

namespace Milestones.Worker;

/// <summary>Which store keeps the record, bound from <c>Storage</c>: <code>{ "Storage": { "Provider": "MongoDb" } }</code></summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The store. No default: production and development name theirs explicitly, so nothing falls back silently.</summary>
    [Required]
    public StorageProvider? Provider { get; set; }
}

public enum StorageProvider
{
    Sqlite,
    MongoDb,
}
