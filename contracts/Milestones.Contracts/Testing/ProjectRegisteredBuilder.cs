namespace Milestones.Contracts.Testing;

/// <summary>
/// Builds a <see cref="ProjectRegistered"/> for tests: by default revision 1 of the <see cref="CatalogEntryBuilder"/>'s
/// new project, registered on 2023-06-01 by the district office (<c>fengtai-pmo</c>, which has the registrar role in
/// the checked-in catalog). Each <c>With…</c> sets one field, including values the service refuses.
/// </summary>
public sealed class ProjectRegisteredBuilder
{
    Guid eventId = Guid.NewGuid();
    int revision = 1;
    CatalogEntry? project = new CatalogEntryBuilder().Build();
    DateTimeOffset registeredAt = new(2023, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
    string? sourceSystem = "fengtai-pmo";
    string? note = "新增重点项目";

    /// <summary>Sets <see cref="ProjectRegistered.EventId"/>; <see cref="Guid.Empty"/> counts as missing.</summary>
    public ProjectRegisteredBuilder WithEventId(Guid value) { eventId = value; return this; }

    /// <summary>Sets <see cref="ProjectRegistered.Revision"/>: 1 or more, higher than the one in force to change anything.</summary>
    public ProjectRegisteredBuilder WithRevision(int value) { revision = value; return this; }

    /// <summary>Sets the entry; null counts as missing.</summary>
    public ProjectRegisteredBuilder WithProject(CatalogEntry? value) { project = value; return this; }

    /// <summary>Sets the entry from a <see cref="CatalogEntryBuilder"/> that <paramref name="configure"/> adjusts.</summary>
    public ProjectRegisteredBuilder WithProject(Action<CatalogEntryBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new CatalogEntryBuilder();
        configure(builder);
        project = builder.Build();
        return this;
    }

    /// <summary>Sets <see cref="ProjectRegistered.RegisteredAt"/>; <c>default</c> counts as missing.</summary>
    public ProjectRegisteredBuilder WithRegisteredAt(DateTimeOffset value) { registeredAt = value; return this; }

    /// <summary>Sets <see cref="ProjectRegistered.SourceSystem"/>: the registrar's broker user, or null to leave it to <c>user_id</c>.</summary>
    public ProjectRegisteredBuilder WithSourceSystem(string? value) { sourceSystem = value; return this; }

    /// <summary>Sets <see cref="ProjectRegistered.Note"/>.</summary>
    public ProjectRegisteredBuilder WithNote(string? value) { note = value; return this; }

    /// <summary>The message.</summary>
    public ProjectRegistered Build() => new()
    {
        EventId = eventId,
        Revision = revision,
        Project = project!,
        RegisteredAt = registeredAt,
        SourceSystem = sourceSystem,
        Note = note,
    };
}
