using System.ComponentModel.DataAnnotations;

namespace Milestones.Worker;

/// <summary>
/// Where the project catalog is and how often the registrations in the store are read, bound from <c>Catalog</c>:
/// <code>{ "Catalog": { "Path": "catalog/fengtai-2023.json", "RefreshInterval": "00:00:30" } }</code>
/// </summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>The catalog file; a relative path is relative to the content root. Default <c>catalog/fengtai-2023.json</c>.</summary>
    [Required]
    public string Path { get; set; } = "catalog/fengtai-2023.json";

    /// <summary>How often the registrations in the store are read and put in force on this replica. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}
