using Milestones.Contracts;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>The names the worker's topology uses with its default queue name.</summary>
public static class Queues
{
    public const string Input = "milestones-worker";
    public const string Error = "milestones-worker_error";
    public const string Skipped = "milestones-worker_skipped";
    public const string DeadLetter = "milestones-worker_dlq";
    public const string Quarantine = "milestones-worker_quarantine";
    public const string InputExchange = WireNames.MilestoneReachedExchange;
    public const string CompletedExchange = WireNames.ProjectCompletedExchange;
    public const string RetractionExchange = WireNames.MilestoneRetractedExchange;
    public const string ReopenedExchange = WireNames.ProjectReopenedExchange;
    public const string Retractions = "milestones-worker-retractions";
    public const string RetractionsError = "milestones-worker-retractions_error";
    public const string Progress = "milestones-worker-progress";
    public const string ProgressError = "milestones-worker-progress_error";
    public const string Registrations = "milestones-worker-registrations";
    public const string RegistrationsError = "milestones-worker-registrations_error";
    public const string Feed = "milestones.milestone-recorded.feed";
    public const string ProgressExchange = WireNames.ProgressReportedExchange;
    public const string RegisteredExchange = WireNames.ProjectRegisteredExchange;
    public const string TargetMetExchange = WireNames.TargetMetExchange;
    public const string OverdueExchange = WireNames.MilestoneOverdueExchange;
    public const string RecordedExchange = WireNames.MilestoneRecordedExchange;
}
