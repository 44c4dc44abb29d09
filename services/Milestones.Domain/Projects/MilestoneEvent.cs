using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Milestones.Domain.Projects;

/// <summary>A milestone report as the domain sees it, whatever transport brought it.</summary>
public sealed record MilestoneEvent
{
    public required Guid EventId { get; init; }
    public required string ProjectId { get; init; }
    public required string MilestoneCode { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required DateTimeOffset ReportedAt { get; init; }
    public required string SourceSystem { get; init; }
    public string? Note { get; init; }
    public string? EvidenceUrl { get; init; }

    /// <summary>
    /// A digest of everything the event says. Two deliveries with the same id and the same fingerprint are
    /// one event delivered twice; the same id with another fingerprint is a conflict. Instants are compared
    /// in UTC, so the same moment written with another offset is the same event.
    /// Computed on each call, not cached: a cache would be copied by <c>with</c> into a copy whose payload differs.
    /// </summary>
    public string Fingerprint => ComputeFingerprint();

    string ComputeFingerprint()
    {
        var canonical = string.Join('\u001f',
            ProjectId,
            MilestoneCode,
            OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            ReportedAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            SourceSystem,
            Note ?? "\u0000",
            EvidenceUrl ?? "\u0000");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public bool Equals(MilestoneEvent? other) =>
        other is not null && EventId == other.EventId && Fingerprint == other.Fingerprint;

    public override int GetHashCode() => HashCode.Combine(EventId, Fingerprint);
}
