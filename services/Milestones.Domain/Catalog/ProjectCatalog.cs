using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Milestones.Domain.Catalog;

/// <summary>
/// The key projects the service knows: the checked-in catalog file's entries, each replaced at runtime by a registration
/// with a higher revision (<see cref="Register"/>). Loaded from a data file and validated as a whole: a catalog with a
/// duplicate id, an unknown code or an empty plan is refused with a message naming the entry. Readers always see one
/// consistent set of entries: a registration swaps in a new immutable set.
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

    readonly FrozenDictionary<string, SourceDefinition> sourcesById;
    readonly FrozenDictionary<string, ProjectDefinition> seeded;
    readonly Lock registering = new();
    volatile Entries entries;

    ProjectCatalog(CatalogSource? source, IReadOnlyList<ProjectDefinition> projects, IReadOnlyList<SourceDefinition> sources)
    {
        Source = source;
        Sources = sources;
        seeded = projects.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        entries = new Entries(projects, seeded, FrozenDictionary<string, ProjectRegistration>.Empty);
        sourcesById = sources.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
    }

    public CatalogSource? Source { get; }

    /// <summary>Projects: the file's in file order, then registered ones in the order they were first seen.</summary>
    public IReadOnlyList<ProjectDefinition> Projects => entries.Projects;

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
        return entries.ById.TryGetValue(id, out project);
    }

    public ProjectDefinition Get(string id) =>
        TryGet(id, out var project) ? project : throw new KeyNotFoundException($"Project '{id}' is not in the catalog.");

    /// <summary>The checked-in file's entry for the project, if the file has one.</summary>
    public ProjectDefinition? SeededEntry(string id) => seeded.GetValueOrDefault(id);

    /// <summary>The registration whose entry is in force for the project; null while the file's entry is.</summary>
    public ProjectRegistration? RegistrationOf(string id) => entries.Registrations.GetValueOrDefault(id);

    /// <summary>
    /// The entry in force for a project given the registration its stored state holds: the registration's when its revision
    /// is higher than the file's, else the file's; null for a project neither knows.
    /// </summary>
    public ProjectDefinition? EntryFor(string id, ProjectRegistration? stored) =>
        stored is not null && (SeededEntry(id) is not { } file || stored.Definition.Revision > file.Revision)
            ? stored.Definition
            : SeededEntry(id) ?? RegistrationOf(id)?.Definition;

    /// <summary>
    /// Puts a registered entry in force when its revision is higher than the one in force; returns false (and changes
    /// nothing) otherwise. Called with what the store holds, by every replica, so that all converge on the highest revision.
    /// </summary>
    public bool Register(ProjectRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var definition = registration.Definition;
        lock (registering)
        {
            var current = entries;
            if (current.ById.TryGetValue(definition.Id, out var inForce) && inForce.Revision >= definition.Revision)
            {
                return false;
            }
            var projects = current.Projects.Select(p => p.Id == definition.Id ? definition : p).ToList();
            if (inForce is null)
            {
                projects.Add(definition);
            }
            entries = new Entries(
                projects,
                projects.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal),
                current.Registrations.Where(r => r.Key != definition.Id).Append(new(definition.Id, registration)).ToFrozenDictionary(StringComparer.Ordinal));
            return true;
        }
    }

    /// <summary>True when the id could be a project's: an ASCII slug of at most 64 characters.</summary>
    public static bool IsValidId(string? id) => CatalogValidator.IsSlug(id);

    /// <summary>The reasons an entry cannot be registered (as the file's entries are checked), or none.</summary>
    public IReadOnlyList<string> Check(ProjectDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = CatalogValidator.Validate([definition]);
        errors.AddRange(CatalogValidator.ValidateReporters([definition], Sources));
        return errors;
    }

    /// <summary>Builds a validated catalog; throws <see cref="CatalogException"/> naming every bad entry.</summary>
    public static ProjectCatalog Create(
        IEnumerable<ProjectDefinition> projects, CatalogSource? source = null, IEnumerable<SourceDefinition>? sources = null)
    {
        var list = projects.ToList();
        var sourceList = sources?.ToList() ?? [];
        var errors = CatalogValidator.Validate(list);
        errors.AddRange(CatalogValidator.ValidateSources(sourceList, list));
        errors.AddRange(CatalogValidator.ValidateReporters(list, sourceList));
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

    sealed record Entries(
        IReadOnlyList<ProjectDefinition> Projects,
        FrozenDictionary<string, ProjectDefinition> ById,
        FrozenDictionary<string, ProjectRegistration> Registrations);

    sealed record CatalogFile(CatalogSource? Source, IReadOnlyList<SourceDefinition>? Sources, IReadOnlyList<ProjectDefinition>? Projects);
}
