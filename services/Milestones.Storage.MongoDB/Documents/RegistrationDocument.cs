using System.Text.Json;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>
/// The registered catalog entry a project keeps (<c>projects.registration</c>). The entry itself is a JSON string in the
/// catalog file's shape (<c>entry</c>), as the registration's event keeps it (<c>events.detail</c>): one shape for the
/// entry wherever it is stored, with its decimals exact, and nothing in it that a server could read as an operator or
/// a type of its own. The fields beside it say which registration it is.
/// </summary>
[BsonIgnoreExtraElements]
public sealed class RegistrationDocument
{
    [BsonElement("eventId")]
    [BsonGuidRepresentation(GuidRepresentation.Standard)]
    public required Guid EventId { get; init; }

    [BsonElement("revision")]
    public required int Revision { get; init; }

    [BsonElement("registeredBy")]
    public required string RegisteredBy { get; init; }

    [BsonElement("registeredAt")]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The whole entry as JSON (<see cref="CatalogRegistration.EntryJson"/>).</summary>
    [BsonElement("entry")]
    public required string Entry { get; init; }

    public static RegistrationDocument? From(ProjectRegistration? registration) =>
        registration is null
            ? null
            : new RegistrationDocument
            {
                EventId = registration.EventId,
                Revision = registration.Revision,
                RegisteredBy = registration.RegisteredBy,
                RegisteredAt = registration.RegisteredAt.ToUniversalTime(),
                Entry = JsonSerializer.Serialize(registration.Definition, CatalogRegistration.EntryJson),
            };

    public ProjectRegistration ToDomain() =>
        new(EventId,
            JsonSerializer.Deserialize<ProjectDefinition>(Entry, CatalogRegistration.EntryJson)
                ?? throw new InvalidOperationException($"Registration {EventId} holds no entry."),
            RegisteredBy,
            RegisteredAt);
}
