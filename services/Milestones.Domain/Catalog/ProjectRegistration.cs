namespace Milestones.Domain.Catalog;

/// <summary>
/// A catalog entry registered at runtime by the registrar: which revision, who registered it and when. Kept in the
/// project's stored state, so a replica that reads the project reads the entry in force with it.
/// </summary>
/// <param name="EventId">The registration message's id.</param>
/// <param name="Definition">The whole entry; its <see cref="ProjectDefinition.Revision"/> is the revision.</param>
/// <param name="RegisteredBy">The registrar (its broker user).</param>
/// <param name="RegisteredAt">When the registrar made it.</param>
public sealed record ProjectRegistration(Guid EventId, ProjectDefinition Definition, string RegisteredBy, DateTimeOffset RegisteredAt)
{
    public string ProjectId => Definition.Id;

    public int Revision => Definition.Revision;
}
