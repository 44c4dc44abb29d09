using System.Collections.Immutable;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Milestones.Storage.MongoDB.Documents;

/// <summary>
/// A project in the <c>projects</c> collection: its state, the <see cref="Version"/> that guards the next write,
/// and its pending outbox entries. <see cref="PendingSince"/> is set while entries are pending: the dispatcher claims
/// projects by it, oldest first (a crash while marking sent may leave it on an empty outbox until the next mark-sent). The lease fields say which
/// dispatcher publishes the project's entries now. <see cref="ReopenCount"/> and <see cref="Retractions"/> came with
/// retractions, <see cref="Progress"/>, <see cref="TargetsMet"/>, <see cref="Registration"/> and <see cref="OverdueNoticed"/>
/// with progress reports, registrations and overdue findings: absent in documents written before them, they read as 0,
/// empty or none, which is what such a project's state was.
/// </summary>
[BsonIgnoreExtraElements]
public sealed class ProjectDocument
{
    public const string CollectionName = "projects";

    public const string VersionField = "version";
    public const string IsCompleteField = "isComplete";
    public const string CompletionCountField = "completionCount";
    public const string ReopenCountField = "reopenCount";
    public const string ReachedField = "reached";
    public const string RetractionsField = "retractions";
    public const string ProgressField = "progress";
    public const string TargetsMetField = "targetsMet";
    public const string RegistrationField = "registration";
    public const string OverdueNoticedField = "overdueNoticed";
    public const string UpdatedAtField = "updatedAt";
    public const string OutboxField = "outbox";
    public const string PendingSinceField = "pendingSince";
    public const string LeaseOwnerField = "leaseOwner";
    public const string LeaseUntilField = "leaseUntil";

    [BsonId]
    public required string Id { get; init; }

    [BsonElement(VersionField)]
    public required long Version { get; init; }

    [BsonElement(IsCompleteField)]
    public required bool IsComplete { get; init; }

    [BsonElement(CompletionCountField)]
    public required int CompletionCount { get; init; }

    /// <summary>Not required: a document written before reopenings existed has none, and so had no reopening.</summary>
    [BsonElement(ReopenCountField)]
    public int ReopenCount { get; init; }

    /// <summary>Reached milestones, in code order.</summary>
    [BsonElement(ReachedField)]
    public List<ReachedMilestoneDocument> Reached { get; init; } = [];

    /// <summary>
    /// Every retraction of the project's reports, in order of the withdrawn report's id, kept whole (not only the
    /// withdrawn ids): a report that arrives after its retraction must be checked against who retracted it.
    /// Corrections are rare, so the array stays small next to <see cref="Reached"/>.
    /// </summary>
    [BsonElement(RetractionsField)]
    public List<RetractionDocument> Retractions { get; init; } = [];

    /// <summary>Each reported metric's current reading, in metric order. Absent in documents from before progress reports: none.</summary>
    [BsonElement(ProgressField)]
    public List<ProgressReadingDocument> Progress { get; init; } = [];

    /// <summary>Each target metric ever met: how many times, and whether it is met now. Absent in older documents: none.</summary>
    [BsonElement(TargetsMetField)]
    public List<TargetRecordDocument> TargetsMet { get; init; } = [];

    /// <summary>The registered catalog entry stored with the project; null (absent) when none was registered.</summary>
    [BsonElement(RegistrationField)]
    [BsonIgnoreIfNull]
    public RegistrationDocument? Registration { get; init; }

    /// <summary>The overdue milestones already announced, as <c>code/yyyy-MM-dd</c>. Absent in older documents: none.</summary>
    [BsonElement(OverdueNoticedField)]
    public List<string> OverdueNoticed { get; init; } = [];

    [BsonElement(UpdatedAtField)]
    [BsonRepresentation(BsonType.Document)]
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Messages written with a state change and not yet published.</summary>
    [BsonElement(OutboxField)]
    public List<OutboxEntryDocument> Outbox { get; init; } = [];

    /// <summary>The enqueue time of the oldest pending entry (a BSON date); absent when nothing is pending.</summary>
    [BsonElement(PendingSinceField)]
    [BsonIgnoreIfNull]
    public DateTime? PendingSince { get; init; }

    [BsonElement(LeaseOwnerField)]
    [BsonIgnoreIfNull]
    public string? LeaseOwner { get; init; }

    [BsonElement(LeaseUntilField)]
    [BsonIgnoreIfNull]
    public DateTime? LeaseUntil { get; init; }

    /// <summary>The document of a project's first commit: version 1, with the commit's outbox entries pending.</summary>
    public static ProjectDocument First(ProjectCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return Of(commit.State, UpdatedAtOf(commit), commit.Outbox.Select(OutboxEntryDocument.From).ToList());
    }

    /// <summary>A new project's document at version 1: the state, when it was written, and its pending outbox entries.</summary>
    internal static ProjectDocument Of(ProjectState state, DateTimeOffset updatedAt, List<OutboxEntryDocument> outbox) => new()
    {
        Id = state.ProjectId,
        Version = 1,
        IsComplete = state.IsComplete,
        CompletionCount = state.CompletionCount,
        ReopenCount = state.ReopenCount,
        Reached = ReachedOf(state),
        Retractions = RetractionsOf(state),
        Progress = ProgressOf(state),
        TargetsMet = TargetsMetOf(state),
        Registration = RegistrationDocument.From(state.Registration),
        OverdueNoticed = OverdueNoticedOf(state),
        UpdatedAt = updatedAt.ToUniversalTime(),
        Outbox = outbox,
        PendingSince = OldestOf(outbox),
    };

    public ProjectSnapshot ToSnapshot() =>
        new(new ProjectState
        {
            ProjectId = Id,
            IsComplete = IsComplete,
            CompletionCount = CompletionCount,
            ReopenCount = ReopenCount,
            Reached = Reached.Select(m => m.ToDomain()).ToImmutableSortedDictionary(m => m.Code, m => m, StringComparer.Ordinal),
            Retractions = Retractions.Select(r => r.ToDomain()).ToImmutableSortedDictionary(r => r.RetractedEventId, r => r),
            Progress = Progress.Select(p => p.ToDomain()).ToImmutableSortedDictionary(p => p.Metric, p => p, StringComparer.Ordinal),
            TargetsMet = TargetsMet.ToImmutableSortedDictionary(t => t.Metric, t => new TargetRecord(t.TimesMet, t.IsMet), StringComparer.Ordinal),
            Registration = Registration?.ToDomain(),
            OverdueNoticed = OverdueNoticed.ToImmutableSortedSet(StringComparer.Ordinal),
        }, Version);

    internal static List<ReachedMilestoneDocument> ReachedOf(ProjectState state) =>
        state.Reached.Values.Select(ReachedMilestoneDocument.From).ToList();

    internal static List<RetractionDocument> RetractionsOf(ProjectState state) =>
        state.Retractions.Values.Select(RetractionDocument.From).ToList();

    internal static List<ProgressReadingDocument> ProgressOf(ProjectState state) =>
        state.Progress.Values.Select(ProgressReadingDocument.From).ToList();

    internal static List<TargetRecordDocument> TargetsMetOf(ProjectState state) =>
        state.TargetsMet.Select(t => new TargetRecordDocument { Metric = t.Key, TimesMet = t.Value.TimesMet, IsMet = t.Value.IsMet }).ToList();

    internal static List<string> OverdueNoticedOf(ProjectState state) => [.. state.OverdueNoticed];

    /// <summary>When the commit's latest event was recorded, in UTC; a commit has at least one event (<see cref="MongoBatchCommit"/>).</summary>
    internal static DateTimeOffset UpdatedAtOf(ProjectCommit commit) => commit.Events.Max(e => e.RecordedAt).ToUniversalTime();

    internal static DateTime? OldestOf(IReadOnlyCollection<OutboxEntryDocument> outbox) =>
        outbox.Count == 0 ? null : outbox.Min(e => e.EnqueuedAt).UtcDateTime;
}
