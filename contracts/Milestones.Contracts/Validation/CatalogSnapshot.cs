using System.Text.Json;

namespace Milestones.Contracts.Validation;

/// <summary>
/// The catalog as a publisher holds it: the project entries (in the <see cref="CatalogEntry"/> shape of
/// <see cref="ProjectRegistered"/>) and, optionally, the ids of the catalog's sources. Given one,
/// <see cref="MessageValidator"/> also checks what depends on the catalog: unknown project, milestone not in the plan,
/// before the project existed, unknown metric, unit mismatch, and a registered entry's reporters.
/// </summary>
public sealed class CatalogSnapshot
{
    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    readonly Dictionary<string, CatalogEntry> byId;

    CatalogSnapshot(IReadOnlyList<CatalogEntry> entries, IReadOnlyList<string>? sourceIds)
    {
        Entries = entries;
        SourceIds = sourceIds;
        byId = new Dictionary<string, CatalogEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            byId.TryAdd(entry.Id, entry);
        }
    }

    /// <summary>The projects, in the order given.</summary>
    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>The ids of the catalog's sources (broker users), or null when not known: a registered entry's reporters are then not checked.</summary>
    public IReadOnlyList<string>? SourceIds { get; }

    /// <summary>A snapshot of <paramref name="entries"/> (the first entry of an id wins) and, if known, the catalog's source ids.</summary>
    public static CatalogSnapshot From(IEnumerable<CatalogEntry> entries, IEnumerable<string>? sourceIds = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return new CatalogSnapshot(entries.ToList(), sourceIds?.ToList());
    }

    /// <summary>
    /// Reads a catalog file in the service's format (<c>{"sources": [{"id": …}], "projects": [ …entries… ]}</c>, such as
    /// the checked-in <c>fengtai-2023.json</c>); members the entry shape does not have (the report extract) are ignored.
    /// </summary>
    public static CatalogSnapshot Load(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var file = JsonSerializer.Deserialize<CatalogFile>(json, JsonOptions)
            ?? throw new JsonException("the catalog file is null");
        return new CatalogSnapshot(file.Projects ?? [], file.Sources?.Select(s => s.Id).ToList());
    }

    /// <summary>The entry of this project, if the snapshot has one.</summary>
    public CatalogEntry? Find(string? projectId) => projectId is not null && byId.TryGetValue(projectId, out var entry) ? entry : null;

    sealed record CatalogFile(IReadOnlyList<SourceId>? Sources, IReadOnlyList<CatalogEntry>? Projects);

    sealed record SourceId(string Id);
}
