using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Milestones.Domain.Projects;
using Milestones.Domain.Recording;
using Milestones.Domain.Storage;
using Milestones.Domain.Validation;

namespace Milestones.Domain.Tests;

/// <summary>
/// <see cref="ProjectReplay"/> against the recorder: reports and retractions of a project, each delivered one to three
/// times, in any order and in batches of any size, recorded through <see cref="MilestoneRecorder"/> into a store that
/// keeps the events in the order they were written; replaying the stored events gives exactly the stored state, and
/// the completions and reopenings the recorder put in the outbox, in the same order.
/// </summary>
public class Replaying_the_recorded_events
{
    const string Project = "lize-city-terminal";
    static readonly Lazy<Catalog.ProjectCatalog> Catalog = new(Events.Catalog);

    abstract record Input(Guid Id);

    sealed record Report(MilestoneEvent Event) : Input(Event.EventId);

    sealed record Withdrawal(Retraction Retraction) : Input(Retraction.EventId);

    sealed record History(Input[] Delivery, int[] BatchSizes)
    {
        public override string ToString() => $"{Delivery.Length} deliveries in batches of [{string.Join(",", BatchSizes)}]: " +
            string.Join(" ", Delivery.Select(d => d switch
            {
                Report r => $"{r.Event.MilestoneCode}@{r.Event.OccurredAt:MM-dd}/{r.Id.ToString()[..4]}",
                Withdrawal w => $"-{w.Retraction.RetractedEventId.ToString()[..4]}",
                _ => "?",
            }));
    }

    static Gen<MilestoneEvent> GenEvent(IReadOnlyList<string> codes) =>
        Gen.Select(Gen.Int[0, codes.Count - 1], Gen.Int[0, 3], Gen.Guid, (code, day, id) => Events.Reached(Project, codes[code], day, id));

    static readonly Gen<History> GenHistory =
        from events in GenEvent(Catalog.Value.Get(Project).Plan.Milestones).Array[0, 14]
        from retractedMask in Gen.Int[0, 2].Array[events.Length]
        let retractions = events.Where((_, i) => retractedMask[i] == 0).Select(e => (Input)new Withdrawal(Events.Retraction(Project, e.EventId))).ToArray()
        // Now and then a retraction of a report that was never sent.
        from stray in Gen.Bool
        let inputs = events.Select(e => (Input)new Report(e)).Concat(retractions).Concat(stray ? [new Withdrawal(Events.Retraction(Project, Guid.NewGuid()))] : []).ToArray()
        from copies in Gen.Int[1, 3].Array[inputs.Length]
        let all = inputs.SelectMany((m, i) => Enumerable.Repeat(m, copies[i])).ToArray()
        from keys in Gen.Int.Array[all.Length]
        from batches in Gen.Int[1, 5].Array[all.Length]
        select new History(all.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray(), batches);

    [Fact]
    public void Replay_of_the_stored_events_is_the_stored_state_with_the_same_announcements() =>
        GenHistory.Sample(h =>
        {
            var store = new RecordingStore();
            var catalog = Catalog.Value;
            var time = new FakeTimeProvider(Events.Day0.AddDays(60));
            var recorder = new MilestoneRecorder(store, catalog, new MilestoneValidator(catalog, time, ValidationLimits.Default), time);
            var next = 0;
            for (var b = 0; next < h.Delivery.Length; b++)
            {
                var batch = h.Delivery.Skip(next).Take(h.BatchSizes[b]).Select(d => d switch
                {
                    Report r => RecordRequest.Of(r.Event),
                    Withdrawal w => RecordRequest.Of(w.Retraction),
                    _ => throw new InvalidOperationException(),
                }).ToList();
                next += batch.Count;
                var outcomes = recorder.Record(batch, CancellationToken.None).GetAwaiter().GetResult();
                if (outcomes.Any(o => o.Status == RecordStatus.Failed))
                {
                    return false;
                }
                time.Advance(TimeSpan.FromMilliseconds(b % 2));   // some batches share an instant, some do not
            }
            var stored = store.State(Project);
            var validator = new MilestoneValidator(catalog, time, ValidationLimits.Default);
            var replayed = ProjectReplay.Replay(Project, catalog.Get(Project).Plan, store.EventsInRecordedOrder(Project), validator.IsDistrictOffice);
            return replayed.State.Equals(stored)
                && replayed.Announcements.Select(a => a.MessageId).SequenceEqual(store.Outbox.Where(e => e.Message is not EventRecordedNotice).Select(e => e.MessageId))
                && replayed.EventCount == store.EventsInRecordedOrder(Project).Count;
        }, iter: 1_500);

    [Fact]
    public async Task A_stored_state_that_differs_from_its_events_is_told_apart()
    {
        var store = new RecordingStore();
        var catalog = Catalog.Value;
        var time = new FakeTimeProvider(Events.Day0.AddDays(60));
        var recorder = new MilestoneRecorder(store, catalog, new MilestoneValidator(catalog, time, ValidationLimits.Default), time);
        foreach (var code in catalog.Get(Project).Plan.Required)
        {
            await recorder.Record(Events.Reached(Project, code, 1), TestContext.Current.CancellationToken);
        }
        var stored = store.State(Project);
        var replayed = ProjectReplay.Replay(Project, catalog.Get(Project).Plan, store.EventsInRecordedOrder(Project), _ => true);
        Assert.Equal(stored, replayed.State);

        var corrupted = stored with { IsComplete = false, Reached = stored.Reached.Remove(catalog.Get(Project).Plan.Required[0]) };
        Assert.NotEqual(corrupted, replayed.State);
        Assert.True(replayed.State.IsComplete);
        Assert.Equal(1, replayed.State.CompletionCount);
        Assert.IsType<ProjectCompletion>(Assert.Single(replayed.Announcements));
    }

    const string Park = "nanyuan-forest-wetland-park";

    sealed record Measure(ProgressReport Progress) : Input(Progress.EventId);

    sealed record Amendment(CatalogRegistration Registration) : Input(Registration.EventId);

    /// <summary>Milestone and progress reports of the park, withdrawals of some progress reports, and registrations that move its target.</summary>
    static readonly Gen<Input[]> GenParkInputs =
        from reports in Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3], (code, day) => (Input)new Report(Events.Reached(Park, Catalog.Value.Get(Park).Plan.Milestones[code], day))).Array[0, 4]
        from measures in Gen.Select(Gen.Int[1800, 2100], Gen.Int[0, 3], (value, day) => (Input)new Measure(Events.Progress(Park, "open-area", value, "mu", day))).Array[0, 6]
        from withdrawn in Gen.Int.Array[measures.Length]
        from amendments in Gen.Select(Gen.Int[1, 4], Gen.Int[1900, 2100], Gen.Bool, (revision, target, required) => (Input)new Amendment(Amend(revision, target, required))).Array[0, 3]
        let retractions = measures.Where((_, i) => withdrawn[i] % 3 == 0).Select(m => (Input)new Withdrawal(Events.Retraction(Park, m.Id)))
        let all = reports.Concat(measures).Concat(retractions).Concat(amendments).ToArray()
        from copies in Gen.Int[1, 2].Array[all.Length]
        let delivered = all.SelectMany((m, i) => Enumerable.Repeat(m, copies[i])).ToArray()
        from keys in Gen.Int.Array[delivered.Length]
        select delivered.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray();

    static CatalogRegistration Amend(int revision, int target, bool required)
    {
        var park = Catalog.Value.Get(Park);
        return new CatalogRegistration
        {
            EventId = Guid.NewGuid(),
            Definition = park with { Revision = revision, Targets = [park.Targets[0] with { Target = target, Required = required }] },
            RegisteredAt = Events.Day0.AddDays(20),
            SourceSystem = Events.Source,
        };
    }

    [Fact]
    public void Replay_covers_progress_withdrawals_of_it_and_registrations() =>
        Gen.Select(GenParkInputs, Gen.Int[1, 4].Array[40], (inputs, sizes) => (inputs, sizes)).Sample(h =>
        {
            var store = new RecordingStore();
            var catalog = Events.Catalog();   // registrations change the catalog: one per history
            var time = new FakeTimeProvider(Events.Day0.AddDays(60));
            var recorder = new MilestoneRecorder(store, catalog, new MilestoneValidator(catalog, time, ValidationLimits.Default), time);
            var next = 0;
            for (var b = 0; next < h.inputs.Length; b++)
            {
                var batch = h.inputs.Skip(next).Take(h.sizes[b % h.sizes.Length]).Select(d => d switch
                {
                    Report r => RecordRequest.Of(r.Event),
                    Measure m => RecordRequest.Of(m.Progress),
                    Withdrawal w => RecordRequest.Of(w.Retraction),
                    Amendment a => RecordRequest.Of(a.Registration),
                    _ => throw new InvalidOperationException(),
                }).ToList();
                next += batch.Count;
                if (recorder.Record(batch, CancellationToken.None).GetAwaiter().GetResult().Any(o => o.Status is RecordStatus.Failed or RecordStatus.Rejected))
                {
                    return false;
                }
            }
            var stored = store.State(Park);
            var seeded = catalog.SeededEntry(Park)!;
            var replayed = ProjectReplay.Replay(Park, Projects.CompletionRule.Of(seeded), seeded, store.EventsInRecordedOrder(Park), _ => true);
            var highest = h.inputs.OfType<Amendment>().Select(a => a.Registration.Definition.Revision).DefaultIfEmpty(1).Max();
            return replayed.State.Equals(stored)
                && replayed.Announcements.Select(a => a.MessageId).SequenceEqual(store.Outbox.Where(e => e.Message is not EventRecordedNotice).Select(e => e.MessageId))
                && store.Outbox.Count(e => e.Message is EventRecordedNotice) == store.EventsInRecordedOrder(Park).Count
                && catalog.Get(Park).Revision == highest;
        }, iter: 400);

    /// <summary>An in-memory stand-in for the store port: each commit all or nothing, events kept in the order written.</summary>
    sealed class RecordingStore : IProjectStore
    {
        readonly Dictionary<string, ProjectSnapshot> states = new(StringComparer.Ordinal);
        readonly List<EventRecord> events = [];
        readonly Dictionary<Guid, string> fingerprints = [];

        public List<OutboxEntry> Outbox { get; } = [];

        public ProjectState State(string projectId) => states.TryGetValue(projectId, out var s) ? s.State : ProjectState.Empty(projectId);

        public List<EventRecord> EventsInRecordedOrder(string projectId) => events.Where(e => e.ProjectId == projectId).ToList();

        public Task<IReadOnlyList<ProjectSnapshot>> LoadProjects(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ProjectSnapshot>>(projectIds.Where(states.ContainsKey).Select(p => states[p]).ToList());

        public Task<IReadOnlyList<CommitResult>> Commit(IReadOnlyList<ProjectCommit> commits, CancellationToken cancellationToken)
        {
            var results = new List<CommitResult>();
            foreach (var commit in commits)
            {
                var existing = commit.Events.Where(e => fingerprints.ContainsKey(e.EventId)).ToDictionary(e => e.EventId, e => fingerprints[e.EventId]);
                var version = states.TryGetValue(commit.ProjectId, out var s) ? s.Version : 0;
                if (existing.Count > 0)
                {
                    results.Add(new CommitResult.EventsExist(existing));
                }
                else if (version != commit.ExpectedVersion)
                {
                    results.Add(new CommitResult.VersionConflict());
                }
                else
                {
                    events.AddRange(commit.Events);
                    foreach (var e in commit.Events)
                    {
                        fingerprints[e.EventId] = e.Fingerprint;
                    }
                    states[commit.ProjectId] = new ProjectSnapshot(commit.State, version + 1);
                    Outbox.AddRange(commit.Outbox);
                    results.Add(new CommitResult.Committed(version + 1));
                }
            }
            return Task.FromResult<IReadOnlyList<CommitResult>>(results);
        }

        public Task<IReadOnlyList<ProjectSnapshot>> ListProjects(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ProjectSnapshot>>(states.Values.ToList());

        public Task<TimelinePage> GetTimeline(string projectId, TimelineQuery query, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(query);
            var ordered = events.Where(e => e.ProjectId == projectId).Select(e => (Position: TimelinePosition.Of(e), Event: e)).OrderBy(p => p.Position);
            var inOrder = query.Order == TimelineOrder.NewestFirst ? ordered.Reverse() : ordered;
            var beyond = query.After is not { } after ? inOrder
                : inOrder.Where(p => query.Order == TimelineOrder.NewestFirst ? p.Position < after : p.Position > after);
            return Task.FromResult(TimelinePage.FromOneMore(beyond.Select(p => p.Event).Take(query.Limit + 1).ToList(), query.Limit));
        }
    }
}
