using System.Runtime.ExceptionServices;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;

namespace Milestones.Domain.Recording;

/// <summary>
/// Records reports and retractions in batches: validates each, applies them in memory to their projects' states in
/// order, and writes the whole batch with one store call (one commit per project touched: its events, its new state and
/// the completions or reopenings to announce). Each input gets its own outcome: applied, a duplicate, refused with its
/// reason, or failed (transient, to be retried).
/// <para>
/// Safe to call again with the same inputs (a redelivery) and from several replicas at once: a project's commit is
/// written only at the version its state was computed from, and a project that moved on is read again and its inputs
/// applied again in the next round of the same call. An input whose event is already recorded is a duplicate (or a
/// conflict, if its payload differs), and its project's other inputs go on without it.
/// </para>
/// <para>
/// The recorder keeps the state and version of the projects it wrote last, so a project is read from the store only
/// the first time and after a failed commit. One batch is recorded at a time.
/// </para>
/// <para>Where this sits on a message's way from the consumer to the outbox: docs/design.md.</para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "A SemaphoreSlim holds nothing to release unless its AvailableWaitHandle is used, which it is not here.")]
public sealed class MilestoneRecorder(
    IProjectStore store, ProjectCatalog catalog, MilestoneValidator validator, TimeProvider time, RecorderOptions? options = null)
{
    readonly RecorderOptions options = options ?? new RecorderOptions();

    /// <summary>How many times a project's commit is retried after losing a version race before its inputs fail.</summary>
    public const int MaxVersionRetries = 16;

    readonly SemaphoreSlim gate = new(1, 1);

    // What this replica last wrote or read of each project: one entry per catalog project at most.
    readonly Dictionary<string, ProjectSnapshot> known = new(StringComparer.Ordinal);

    /// <summary>Records one report; throws what a failed outcome carries.</summary>
    public async Task<RecordOutcome> Record(MilestoneEvent e, CancellationToken cancellationToken) =>
        Single(await Record([RecordRequest.Of(e)], cancellationToken).ConfigureAwait(false));

    /// <summary>Records one retraction; throws what a failed outcome carries.</summary>
    public async Task<RecordOutcome> Record(Retraction r, CancellationToken cancellationToken) =>
        Single(await Record([RecordRequest.Of(r)], cancellationToken).ConfigureAwait(false));

    /// <summary>Records a batch; returns one outcome per input, in order.</summary>
    public async Task<IReadOnlyList<RecordOutcome>> Record(IReadOnlyList<RecordRequest> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var outcomes = new RecordOutcome[batch.Count];
        var waiting = new List<int>(batch.Count);
        var recheck = new List<int>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (Validate(batch[i]) is not { } rejection)
            {
                waiting.Add(i);
            }
            else
            {
                outcomes[i] = RecordOutcome.Rejected(rejection);
                if (DependsOnCatalog(rejection))
                {
                    recheck.Add(i);
                }
            }
        }
        if (waiting.Count == 0 && recheck.Count == 0)
        {
            return outcomes;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (recheck.Count > 0)
            {
                // Another replica may have registered the project or a new revision of it: read what the store holds and
                // check these again before refusing them.
                waiting = [.. waiting.Concat(await Recheck(batch, recheck, outcomes, cancellationToken).ConfigureAwait(false)).Order()];
            }

            var conflicts = new Dictionary<string, int>(StringComparer.Ordinal);
            while (waiting.Count > 0)
            {
                var (round, later) = NextRound(batch, waiting);
                try
                {
                    var again = await RecordRound(batch, round, outcomes, conflicts, cancellationToken).ConfigureAwait(false);
                    waiting = [.. again.Concat(later).Order()];
                }
                catch (Exception ex)
                {
                    // Some commits of the round may be durable: forget its projects, and let every input not decided yet
                    // fail. Recording them again (the transport's retry) finds what was written as existing.
                    foreach (var i in round)
                    {
                        known.Remove(batch[i].ProjectId);
                    }
                    foreach (var i in round.Concat(later))
                    {
                        outcomes[i] = RecordOutcome.Failed(ex);
                    }
                    waiting = [];
                }
            }
        }
        finally
        {
            gate.Release();
        }
        return outcomes;
    }

    Rejection? Validate(RecordRequest request) => request.Kind switch
    {
        EventKind.Report => validator.Validate(request.Report!),
        EventKind.Retraction => validator.Validate(request.Retraction!),
        EventKind.Progress => validator.Validate(request.Progress!),
        EventKind.Registration => validator.Validate(request.Registration!),
        _ => catalog.TryGet(request.ProjectId, out _) ? null : new Rejection(RejectionReason.UnknownProject, $"project '{request.ProjectId}' is not in the catalog"),
    };

    /// <summary>A refusal that a registration this replica has not seen yet could lift.</summary>
    static bool DependsOnCatalog(Rejection rejection) => rejection.Reason is RejectionReason.UnknownProject
        or RejectionReason.MilestoneNotInPlan
        or RejectionReason.SourceNotAuthorized
        or RejectionReason.UnknownMetric
        or RejectionReason.UnitMismatch
        or RejectionReason.BeforeProjectExisted;

    /// <summary>
    /// Reads the stored state of the projects of inputs refused for a catalog reason, puts any registration found there in
    /// force, and validates those inputs again; returns the ones that now pass. One store read per batch, and only for
    /// project ids that could be catalog ids.
    /// </summary>
    async Task<IEnumerable<int>> Recheck(IReadOnlyList<RecordRequest> batch, List<int> refused, RecordOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var projectIds = refused.Select(i => batch[i].ProjectId).Where(ProjectCatalog.IsValidId).Distinct(StringComparer.Ordinal).ToList();
        if (projectIds.Count == 0)
        {
            return [];
        }
        var changed = false;
        foreach (var snapshot in await store.LoadProjects(projectIds, cancellationToken).ConfigureAwait(false))
        {
            known[snapshot.State.ProjectId] = snapshot;
            changed |= snapshot.State.Registration is { } registration && catalog.Register(registration);
        }
        if (!changed)
        {
            return [];
        }
        var passing = new List<int>();
        foreach (var i in refused)
        {
            if (Validate(batch[i]) is { } rejection)
            {
                outcomes[i] = RecordOutcome.Rejected(rejection);
            }
            else
            {
                passing.Add(i);
            }
        }
        return passing;
    }

    /// <summary>
    /// The inputs that can be written together, in order, and those that wait for the next round: an event id already in
    /// the round (the second is then a duplicate or a conflict of the first), and a retraction after another input of its
    /// project (it reads the project's reports from the store, so what comes before it must be written first). Once one
    /// input of a project waits, the project's later inputs wait too, so each project's inputs keep their order.
    /// </summary>
    static (List<int> Round, List<int> Later) NextRound(IReadOnlyList<RecordRequest> batch, List<int> waiting)
    {
        var round = new List<int>(waiting.Count);
        var later = new List<int>();
        var eventIds = new HashSet<Guid>();
        var inRound = new HashSet<string>(StringComparer.Ordinal);
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in waiting)
        {
            var request = batch[i];
            if (held.Contains(request.ProjectId)
                || eventIds.Contains(request.EventId)
                || (request.Retraction is not null && inRound.Contains(request.ProjectId)))
            {
                later.Add(i);
                held.Add(request.ProjectId);
                continue;
            }
            eventIds.Add(request.EventId);
            inRound.Add(request.ProjectId);
            round.Add(i);
        }
        return (round, later);
    }

    /// <summary>Applies and writes one round; decides the outcomes it can and returns the inputs to try again.</summary>
    async Task<List<int>> RecordRound(
        IReadOnlyList<RecordRequest> batch, List<int> round, RecordOutcome[] outcomes, Dictionary<string, int> conflicts, CancellationToken cancellationToken)
    {
        var byProject = round.GroupBy(i => batch[i].ProjectId, StringComparer.Ordinal).ToList();
        var unknown = byProject.Select(g => g.Key).Where(p => !known.ContainsKey(p)).ToList();
        if (unknown.Count > 0)
        {
            foreach (var snapshot in await store.LoadProjects(unknown, cancellationToken).ConfigureAwait(false))
            {
                known[snapshot.State.ProjectId] = snapshot;
            }
        }

        var now = time.GetUtcNow();
        var commits = new List<ProjectCommit>(byProject.Count);
        var members = new List<List<int>>(byProject.Count);
        var applied = new Dictionary<int, RecordOutcome>(round.Count);
        foreach (var project in byProject)
        {
            var before = known.GetValueOrDefault(project.Key) ?? new ProjectSnapshot(ProjectState.Empty(project.Key), 0);
            if (before.State.Registration is { } stored)
            {
                catalog.Register(stored);
            }
            var state = before.State;
            var events = new List<EventRecord>();
            var outbox = new List<OutboxEntry>();
            var items = new List<int>();
            foreach (var i in project)
            {
                var request = batch[i];
                // The entry in force for this input: the stored registration's or the file's, and a registration earlier
                // in this batch counts.
                var entry = catalog.EntryFor(project.Key, state.Registration);
                if (entry is null && request.Kind != EventKind.Registration)
                {
                    outcomes[i] = RecordOutcome.Rejected(new Rejection(RejectionReason.UnknownProject, $"project '{project.Key}' is not in the catalog"));
                    continue;
                }
                var (outcome, record, refused) = request.Kind switch
                {
                    EventKind.Report => (state.Apply(CompletionRule.Of(entry!), request.Report!), EventRecord.From(request.Report!, now, request.Fingerprint), null),
                    EventKind.Progress => (state.Apply(CompletionRule.Of(entry!), request.Progress!), EventRecord.From(request.Progress!, now, request.Fingerprint), null),
                    EventKind.Registration => (state.Register(entry, request.Registration!), EventRecord.From(request.Registration!, now, request.Fingerprint), null),
                    EventKind.Overdue => NoteOverdue(state, entry!, request.Overdue!, now),
                    _ => await Retract(request.Retraction!, state, CompletionRule.Of(entry!), now, cancellationToken).ConfigureAwait(false),
                };
                if (refused is not null)
                {
                    outcomes[i] = RecordOutcome.Rejected(refused);
                    continue;
                }
                state = outcome!.State;
                events.Add(record!);
                items.Add(i);
                foreach (var announcement in outcome.Announcements)
                {
                    outbox.Add(OutboxEntry.For(announcement, now, request.TraceParent));
                }
                if (options.PublishRecorded && request.Kind != EventKind.Overdue)
                {
                    outbox.Add(OutboxEntry.For(new EventRecordedNotice(record!, outcome.Changed, state.IsComplete), now, request.TraceParent));
                }
                applied[i] = RecordOutcome.Applied(outcome);
            }
            if (events.Count > 0)
            {
                commits.Add(new ProjectCommit(events, before.Version, state, outbox));
                members.Add(items);
            }
        }
        if (commits.Count == 0)
        {
            return [];
        }

        var results = await store.Commit(commits, cancellationToken).ConfigureAwait(false);
        var again = new List<int>();
        for (var k = 0; k < commits.Count; k++)
        {
            var projectId = commits[k].ProjectId;
            switch (results[k])
            {
                case CommitResult.Committed committed:
                    known[projectId] = new ProjectSnapshot(commits[k].State, committed.Version);
                    if (commits[k].State.Registration is { } registration)
                    {
                        catalog.Register(registration);
                    }
                    foreach (var i in members[k])
                    {
                        outcomes[i] = applied[i];
                    }
                    break;
                case CommitResult.VersionConflict:
                    // Another writer moved the project on: read it again and apply these inputs to what it wrote.
                    known.Remove(projectId);
                    var attempts = conflicts[projectId] = conflicts.GetValueOrDefault(projectId) + 1;
                    if (attempts < MaxVersionRetries)
                    {
                        again.AddRange(members[k]);
                        break;
                    }
                    var failure = new ConcurrencyException(
                        $"Project '{projectId}' changed under this batch {attempts} times in a row; its events will be retried.");
                    foreach (var i in members[k])
                    {
                        outcomes[i] = RecordOutcome.Failed(failure);
                    }
                    break;
                case CommitResult.EventsExist exists:
                    // Nothing of the project was written: the recorded ones are decided, the others go again without them.
                    foreach (var i in members[k])
                    {
                        if (!exists.Fingerprints.TryGetValue(batch[i].EventId, out var stored))
                        {
                            again.Add(i);
                        }
                        else if (stored == batch[i].Fingerprint)
                        {
                            outcomes[i] = RecordOutcome.Duplicate;
                        }
                        else
                        {
                            outcomes[i] = RecordOutcome.Rejected(new Rejection(RejectionReason.Conflict,
                                $"event {batch[i].EventId} was already recorded with a different payload"));
                        }
                    }
                    break;
            }
        }
        return again;
    }

    /// <summary>
    /// A retraction applied to the project's state: the state becomes what its remaining reports give, and a complete
    /// project that is no longer complete is reopened. Retractions are rare, so this reads the project's reports from the
    /// store, to find the withdrawn report and the next earliest of its milestone; every input of the project before this
    /// one is written already (<see cref="NextRound"/>).
    /// </summary>
    async Task<(ProjectDecision? Outcome, EventRecord? Record, Rejection? Refused)> Retract(
        Retraction r, ProjectState state, CompletionRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The timeline holds the reports the state was built from, except (MongoDB) one whose commit stopped between its
        // state write and its timeline mark: its message was not acknowledged, so it comes again and is re-applied. The
        // state still knows it if it holds the milestone, so the milestone and the reporter are taken from there.
        var reports = await store.GetTimeline(r.ProjectId, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var retracted = reports.FirstOrDefault(x => x.EventId == r.RetractedEventId)
            ?? (state.WinningMilestoneOf(r.RetractedEventId) is { } held ? Held(state, held, r.ProjectId, now) : null)
            ?? (state.CurrentMetricOf(r.RetractedEventId) is { } metric ? HeldReading(state.Progress[metric], r.ProjectId, now) : null);
        if (retracted is not null && validator.AuthorizeRetraction(r, retracted) is { } refused)
        {
            return (null, null, refused);
        }
        var code = retracted?.Kind == EventKind.Report ? retracted.MilestoneCode : string.Empty;
        var sameMilestone = reports.Where(x => x.Kind == EventKind.Report && x.MilestoneCode == code).Select(x => x.ToReached());
        var progress = retracted?.Kind == EventKind.Progress ? retracted.Progress : null;
        var sameMetric = reports.Where(x => x.Kind == EventKind.Progress && x.Progress?.Metric == progress?.Metric).Select(x => x.ToReading()!);
        var record = RetractionRecord.From(r, validator.IsDistrictOffice(r.SourceSystem));
        return (state.Retract(rule, record, sameMilestone, sameMetric), EventRecord.From(r, code, now, progress), null);
    }

    /// <summary>A progress report as the state holds it, for a retraction whose report is in the state but not yet in the timeline.</summary>
    static EventRecord HeldReading(ProgressReading reading, string projectId, DateTimeOffset now) =>
        new(reading.EventId, projectId, string.Empty, reading.OccurredAt, reading.ReportedAt, reading.SourceSystem, null, null, string.Empty, now)
        {
            Kind = EventKind.Progress,
            Progress = new ProgressValue(reading.Metric, reading.Value, reading.Unit),
        };

    /// <summary>
    /// The schedule watch's finding, applied: recorded (and announced) the first time, a duplicate of the stored one
    /// afterwards (same event id and fingerprint); refused, and so not recorded, when the milestone is not overdue after all.
    /// </summary>
    static (ProjectDecision? Outcome, EventRecord? Record, Rejection? Refused) NoteOverdue(
        ProjectState state, ProjectDefinition entry, OverdueCheck check, DateTimeOffset now) =>
        state.NoteOverdue(entry, check) is { } outcome
            ? (outcome, EventRecord.From(check, now), null)
            : (null, null, new Rejection(RejectionReason.InvalidField, $"milestone '{check.MilestoneCode}' of '{check.ProjectId}' is not overdue"));

    /// <summary>A report as the state holds it, for a retraction whose report is in the state but not yet in the timeline.</summary>
    static EventRecord Held(ProjectState state, string code, string projectId, DateTimeOffset now)
    {
        var m = state.Reached[code];
        return new EventRecord(m.EventId, projectId, code, m.OccurredAt, m.ReportedAt, m.SourceSystem, null, null, string.Empty, now);
    }

    static RecordOutcome Single(IReadOnlyList<RecordOutcome> outcomes)
    {
        if (outcomes[0].Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
        return outcomes[0];
    }
}
