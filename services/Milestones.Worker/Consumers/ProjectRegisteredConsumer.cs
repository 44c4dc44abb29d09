using System.Diagnostics;
using Milestones.Contracts;
using Milestones.Domain.Recording;

namespace Milestones.Worker.Consumers;

/// <summary>
/// Records a catalog registration from the registrar: the entry is in force in this replica's catalog once recorded, and a
/// completion or reopening the amended plan causes is published by the outbox dispatcher.
/// </summary>
public sealed class ProjectRegisteredConsumer(RecordingIntake intake, InputRecording recording, ILogger<ProjectRegisteredConsumer> logger)
    : RecordingConsumer<ProjectRegistered>(intake, recording, logger)
{
    protected override Activity? StartSpan(InputRecording spans, ProjectRegistered message) => spans.StartSpan(message);

    protected override string? ClaimedSource(ProjectRegistered message) => message.SourceSystem;

    protected override RecordRequest ToRequest(ProjectRegistered message, string source) => RecordRequest.Of(message.ToDomain(source));

    protected override Guid EventId(ProjectRegistered message) => message.EventId;

    protected override string? ProjectId(ProjectRegistered message) => message.Project?.Id;
}
