namespace Milestones.Domain.Catalog;

/// <summary>
/// An upstream system that may send messages: its id is its broker user (the AMQP <c>user_id</c> that RabbitMQ checks),
/// and the catalog says which projects it may report on and what else it may do.
/// </summary>
public sealed record SourceDefinition
{
    /// <summary>The broker user and the <c>sourceSystem</c> of its messages, such as <c>lize-pmo</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Who runs it, in Chinese.</summary>
    public required string Name { get; init; }

    public string? NameEn { get; init; }

    /// <summary>Projects it may report milestones of and retract its own reports of.</summary>
    public IReadOnlyList<string> Projects { get; init; } = [];

    /// <summary>Extra powers: <see cref="SourceRoles.DistrictOffice"/>, <see cref="SourceRoles.Registrar"/>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The district office may report on any project and retract any report.</summary>
    public bool IsDistrictOffice => Roles.Contains(SourceRoles.DistrictOffice, StringComparer.Ordinal);

    /// <summary>True when it may register projects (<see cref="SourceRoles.Registrar"/>).</summary>
    public bool IsRegistrar => Roles.Contains(SourceRoles.Registrar, StringComparer.Ordinal);

    /// <summary>True when it may report milestones and progress of the project: its own list or the project's reporters name it.</summary>
    public bool MayReport(ProjectDefinition project)
    {
        ArgumentNullException.ThrowIfNull(project);
        return IsDistrictOffice
            || Projects.Contains(project.Id, StringComparer.Ordinal)
            || project.Reporters.Contains(Id, StringComparer.Ordinal);
    }

    /// <summary>True when it may withdraw a report of the project made by <paramref name="reportedBy"/>.</summary>
    public bool MayRetract(ProjectDefinition project, string reportedBy) =>
        IsDistrictOffice || (MayReport(project) && string.Equals(reportedBy, Id, StringComparison.Ordinal));
}

/// <summary>The roles a source can hold in the catalog.</summary>
public static class SourceRoles
{
    /// <summary>The district's key-projects office: reports on and corrects any project.</summary>
    public const string DistrictOffice = "district-office";

    /// <summary>May add and amend catalog entries at runtime (<c>ProjectRegistered</c>).</summary>
    public const string Registrar = "registrar";

    public static IReadOnlyList<string> All { get; } = [DistrictOffice, Registrar];
}
