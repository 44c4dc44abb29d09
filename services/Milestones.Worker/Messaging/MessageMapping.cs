using Milestones.Contracts;
using Milestones.Domain.Projects;

namespace Milestones.Worker.Messaging;

/// <summary>Translates between the wire contracts and the domain.</summary>
static class MessageMapping
{
    /// <summary>
    /// Publishers outside .NET can send JSON null for a required string; it arrives as null despite the
    /// contract's annotations and is reported by validation as a missing field, not as a crash.
    /// </summary>
    public static MilestoneEvent ToDomain(this MilestoneReached message) => new()
    {
        EventId = message.EventId,
        ProjectId = message.ProjectId ?? string.Empty,
        MilestoneCode = message.MilestoneCode ?? string.Empty,
        OccurredAt = message.OccurredAt,
        ReportedAt = message.ReportedAt,
        SourceSystem = message.SourceSystem ?? string.Empty,
        Note = message.Note,
        EvidenceUrl = message.EvidenceUrl,
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
}
