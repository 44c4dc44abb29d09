using Milestones.Contracts;
using Milestones.Domain.Projects;

namespace Milestones.Worker.Messaging;

/// <summary>Translates between the wire contracts and the domain.</summary>
static class MessageMapping
{
    /// <summary>
    /// <paramref name="source"/>: the publisher as resolved from its broker identity. Publishers outside .NET can send
    /// JSON null for a required string; it arrives as null despite the contract's annotations and is reported by
    /// validation as a missing field, not as a crash.
    /// </summary>
    public static MilestoneEvent ToDomain(this MilestoneReached message, string source) => new()
    {
        EventId = message.EventId,
        ProjectId = message.ProjectId ?? string.Empty,
        MilestoneCode = message.MilestoneCode ?? string.Empty,
        OccurredAt = message.OccurredAt,
        ReportedAt = message.ReportedAt,
        SourceSystem = source,
        Note = message.Note,
        EvidenceUrl = message.EvidenceUrl,
    };

    /// <inheritdoc cref="ToDomain(MilestoneReached, string)"/>
    public static Retraction ToDomain(this MilestoneRetracted message, string source) => new()
    {
        EventId = message.EventId,
        ProjectId = message.ProjectId ?? string.Empty,
        RetractedEventId = message.RetractedEventId,
        Reason = message.Reason ?? string.Empty,
        RetractedAt = message.RetractedAt,
        SourceSystem = source,
    };

    public static ProjectCompleted ToContract(this ProjectCompletion completion, string projectName) => new()
    {
        ProjectId = completion.ProjectId,
        ProjectName = projectName,
        CompletionNumber = completion.CompletionNumber,
        CompletedAt = completion.CompletedAt,
        Milestones = completion.Milestones.Select(m => new CompletingMilestone(m.Code, m.OccurredAt, m.EventId)).ToList(),
        TriggeringEventId = completion.TriggeringEventId,
    };

    public static ProjectReopened ToContract(this ProjectReopening reopening, string projectName) => new()
    {
        ProjectId = reopening.ProjectId,
        ProjectName = projectName,
        ReopenNumber = reopening.ReopenNumber,
        MissingMilestones = reopening.MissingMilestones,
        RetractionEventId = reopening.Retraction.RetractionEventId,
        RetractedEventId = reopening.Retraction.RetractedEventId,
        RetractedBy = reopening.Retraction.RetractedBy,
        Reason = reopening.Retraction.Reason,
    };
}
