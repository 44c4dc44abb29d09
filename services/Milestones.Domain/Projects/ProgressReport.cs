using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Milestones.Domain.Projects;

/// <summary>A report of the value a project's quantitative target reached, as the domain sees it.</summary>
public sealed record ProgressReport
{
    public required Guid EventId { get; init; }
    public required string ProjectId { get; init; }
    public required string Metric { get; init; }
    public required decimal Value { get; init; }
    public required string Unit { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required DateTimeOffset ReportedAt { get; init; }
    public required string SourceSystem { get; init; }
    public string? Note { get; init; }

    /// <summary>A digest of everything the report says, as <see cref="MilestoneEvent.Fingerprint"/> is for a milestone report.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f',
        "progress",
        ProjectId,
        Metric,
        Value.ToString(CultureInfo.InvariantCulture),
        Unit,
        OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
        ReportedAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
        SourceSystem,
        Note ?? "\u0000"))));

    public ProgressReading ToReading() => new(Metric, Value, Unit, OccurredAt, EventId, SourceSystem, ReportedAt);
}

/// <summary>The value of a metric as a project's state keeps it: the latest report by the time it was measured.</summary>
public sealed record ProgressReading(
    string Metric,
    decimal Value,
    string Unit,
    DateTimeOffset OccurredAt,
    Guid EventId,
    string SourceSystem,
    DateTimeOffset ReportedAt)
{
    /// <summary>
    /// When several reports give a metric's value, the one measured last wins, ties broken by the greater event id: a total
    /// order, so the value never depends on arrival order.
    /// </summary>
    public bool Supersedes(ProgressReading other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var byTime = OccurredAt.UtcTicks.CompareTo(other.OccurredAt.UtcTicks);
        return byTime > 0 || (byTime == 0 && EventId.CompareTo(other.EventId) > 0);
    }
}
