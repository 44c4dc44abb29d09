using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Milestones.Domain.Projects;

/// <summary>A source withdraws a milestone report, as the domain sees it, whatever transport brought it.</summary>
public sealed record Retraction
{
    /// <summary>The retraction's own id: a redelivery with the same id is applied once.</summary>
    public required Guid EventId { get; init; }
    public required string ProjectId { get; init; }

    /// <summary>The report it withdraws.</summary>
    public required Guid RetractedEventId { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset RetractedAt { get; init; }

    /// <summary>The source that withdraws it: its broker-validated identity.</summary>
    public required string SourceSystem { get; init; }

    /// <summary>A digest of everything the retraction says, as <see cref="MilestoneEvent.Fingerprint"/> is for a report.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f',
        "retraction",
        ProjectId,
        RetractedEventId.ToString("N"),
        Reason,
        RetractedAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
        SourceSystem))));
}

/// <summary>
/// A retraction as a project's state keeps it: which report it withdraws, who withdrew it and why. Kept for every
/// retraction, including one that arrived before the report it withdraws, so that the report has no effect when it comes.
/// </summary>
/// <param name="RetractionEventId">The retraction's id.</param>
/// <param name="RetractedEventId">The report withdrawn.</param>
/// <param name="RetractedBy">The source that withdrew it.</param>
/// <param name="ByDistrictOffice">True when that source may correct any report, not only its own.</param>
/// <param name="Reason">Why, as the source said.</param>
/// <param name="RetractedAt">When the source withdrew it.</param>
public sealed record RetractionRecord(
    Guid RetractionEventId,
    Guid RetractedEventId,
    string RetractedBy,
    bool ByDistrictOffice,
    string Reason,
    DateTimeOffset RetractedAt)
{
    /// <summary>
    /// Whether it withdraws a report from <paramref name="reportedBy"/>: a source withdraws only its own reports, the
    /// district office any. (A retraction that came first is checked here, when the report arrives.)
    /// </summary>
    public bool Withdraws(string reportedBy) => ByDistrictOffice || string.Equals(RetractedBy, reportedBy, StringComparison.Ordinal);

    public static RetractionRecord From(Retraction r, bool byDistrictOffice) =>
        new(r.EventId, r.RetractedEventId, r.SourceSystem, byDistrictOffice, r.Reason, r.RetractedAt);
}
