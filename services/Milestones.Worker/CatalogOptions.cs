using System.ComponentModel.DataAnnotations;

namespace Milestones.Worker;

/// <summary>Where the project catalog is, bound from <c>Catalog</c>: <code>{ "Catalog": { "Path": "catalog/fengtai-2023.json" } }</code></summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>The catalog file; a relative path is relative to the content root. Default <c>catalog/fengtai-2023.json</c>.</summary>
    [Required]
    public string Path { get; set; } = "catalog/fengtai-2023.json";
}
