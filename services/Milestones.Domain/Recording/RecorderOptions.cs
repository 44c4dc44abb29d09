namespace Milestones.Domain.Recording;

/// <summary>What the recorder writes to the outbox besides the announcements of state changes.</summary>
public sealed record RecorderOptions
{
    /// <summary>
    /// One <c>MilestoneRecorded</c> per recorded event (reports, retractions, progress reports, registrations), for
    /// downstream projections. On by default.
    /// </summary>
    public bool PublishRecorded { get; init; } = true;
}
