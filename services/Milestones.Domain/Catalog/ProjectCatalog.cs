using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Milestones.Domain.Catalog;

/// <summary>
/// The key projects the service knows. Loaded from a data file and validated as a whole: a catalog with
/// a duplicate id, an unknown code or an empty plan is refused with a message naming the entry.
/// </summary>
public sealed class ProjectCatalog
{
    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
    };

    readonly FrozenDictionary<string, ProjectDefinition> byId;
    readonly FrozenDictionary<string, SourceDefinition> sourcesById;

    ProjectCatalog(CatalogSource? source, IReadOnlyList<ProjectDefinition> projects, IReadOnlyList<SourceDefinition> sources)
    {
        Source = source;
        Projects = projects;
        Sources = sources;
        byId = projects.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        sourcesById = sources.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
    }

    public CatalogSource? Source { get; }

    /// <summary>Projects in catalog order.</summary>
    public IReadOnlyList<ProjectDefinition> Projects { get; }

    /// <summary>The upstream systems that may send messages, and what each may do.</summary>
    public IReadOnlyList<SourceDefinition> Sources { get; }

    /// <summary>The source with this id (its broker user), if the catalog knows it.</summary>
    public bool TryGetSource(string? id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SourceDefinition? source)
    {
        if (id is null)
        {
            source = null;
            return false;
        }
        return sourcesById.TryGetValue(id, out source);
    }

    public bool TryGet(string? id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProjectDefinition? project)
    {
        if (id is null)
        {
            project = null;
            return false;
        }
        return byId.TryGetValue(id, out project);
    }

    public ProjectDefinition Get(string id) =>
        TryGet(id, out var project) ? project : throw new KeyNotFoundException($"Project '{id}' is not in the catalog.");

    /// <summary>Builds a validated catalog; throws <see cref="CatalogException"/> naming every bad entry.</summary>
    public static ProjectCatalog Create(
        IEnumerable<ProjectDefinition> projects, CatalogSource? source = null, IEnumerable<SourceDefinition>? sources = null)
    {
        var list = projects.ToList();
        var sourceList = sources?.ToList() ?? [];
        var errors = CatalogValidator.Validate(list);
        errors.AddRange(CatalogValidator.ValidateSources(sourceList, list));
        if (errors.Count > 0)
        {
            throw new CatalogException(errors);
        }
        return new ProjectCatalog(source, list, sourceList);
    }

    public static ProjectCatalog Load(Stream json)
    {
        CatalogFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CatalogFile>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new CatalogException([$"the catalog is not valid JSON for its schema: {ex.Message}"], ex);
        }
        if (file?.Projects is null)
        {
            throw new CatalogException(["the catalog has no 'projects' array"]);
        }
        return Create(file.Projects, file.Source, file.Sources);
    }

    public static ProjectCatalog LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return Load(stream);
        }
        catch (CatalogException ex)
        {
            throw new CatalogException(ex.Errors.Select(e => $"{path}: {e}").ToList(), ex);
        }
    }

    sealed record CatalogFile(CatalogSource? Source, IReadOnlyList<SourceDefinition>? Sources, IReadOnlyList<ProjectDefinition>? Projects);
}
