using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Milestones.Domain.Catalog;

namespace Milestones.Domain.Projects;

/// <summary>The registrar adds or amends a catalog entry, as the domain sees it.</summary>
public sealed record CatalogRegistration
{
    /// <summary>How an entry is written in a registration's record (and compared): the catalog file's own JSON shape.</summary>
    public static JsonSerializerOptions EntryJson { get; } = new(JsonSerializerDefaults.Web);

    public required Guid EventId { get; init; }

    /// <summary>The whole entry; its <see cref="ProjectDefinition.Revision"/> is the revision.</summary>
    public required ProjectDefinition Definition { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The registrar: its broker-validated identity.</summary>
    public required string SourceSystem { get; init; }

    public string? Note { get; init; }

    public string ProjectId => Definition.Id;

    /// <summary>The entry as JSON, as its record keeps it.</summary>
    public string EntryAsJson => JsonSerializer.Serialize(Definition, EntryJson);

    /// <summary>A digest of everything the registration says, entry included.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f',
        "registration",
        EntryAsJson,
        RegisteredAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
        SourceSystem,
        Note ?? "\u0000"))));

    public ProjectRegistration ToRegistration() => new(EventId, Definition, SourceSystem, RegisteredAt);
}

/// <summary>
/// The schedule watch's finding that a planned milestone was not reached by the end of its due day. Its event id is
/// derived from the project, the milestone and the due date, so every replica and every restart that finds it records
/// the same event, and the store keeps one.
/// </summary>
public sealed record OverdueCheck(string ProjectId, string MilestoneCode, DateOnly Due, DateTimeOffset DetectedAt)
{
    /// <summary>The source name the service records its own findings under.</summary>
    public const string ServiceSource = "milestones";

    public Guid EventId => DeterministicGuid.Create($"milestones/milestone-overdue/{ProjectId}/{MilestoneCode}/{Due:yyyy-MM-dd}");

    /// <summary>Depends on what was found only, not on when or by which replica.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f',
        "overdue", ProjectId, MilestoneCode, Due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))));
}
