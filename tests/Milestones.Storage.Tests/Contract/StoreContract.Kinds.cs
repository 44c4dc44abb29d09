using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.Tests.TestData;

namespace Milestones.Storage.Tests.Contract;

/// <summary>
/// The store keeps whatever the domain produces since progress reports, registrations and overdue findings came: every
/// kind of event with its data, every part of a state, every kind of announcement.
/// </summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Every_kind_of_event_is_read_back_with_its_kind_value_entry_and_due_date()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var history = TestHistory.Build(harness.Time.GetUtcNow());
        foreach (var commit in history.Commits)
        {
            Assert.IsType<CommitResult.Committed>(await store.Projects.Commit(commit, Cancel));
        }

        var timeline = await store.Projects.GetTimeline(TestHistory.Project, 100, Cancel);

        Assert.Equal(history.Events.OrderBy(e => e.EventId), timeline.OrderBy(e => e.EventId));
        Assert.Equal(
            [EventKind.Registration, EventKind.Report, EventKind.Progress, EventKind.Progress, EventKind.Retraction, EventKind.Overdue],
            history.Events.Select(e => timeline.Single(t => t.EventId == e.EventId).Kind));
        var progress = timeline.Where(e => e.Kind == EventKind.Progress).Select(e => e.Progress!).ToList();
        // Exact to the last digit and the scale: "120.50", not 120.5 (nor a double's nearest value).
        Assert.Equal(["300.1000000000000000000000001", "120.50"],
            progress.OrderByDescending(p => p.Value).Select(p => p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(progress, p => Assert.Equal(("farmland-area", "亩"), (p.Metric, p.Unit)));
        var retraction = timeline.Single(e => e.Kind == EventKind.Retraction);
        Assert.Equal("120.50", retraction.Progress!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(string.Empty, retraction.MilestoneCode);
        var registration = timeline.Single(e => e.Kind == EventKind.Registration);
        Assert.Equal(2, registration.Revision);
        Assert.Equal(TestHistory.Canonical(TestHistory.Entry), TestHistory.Canonical(registration.RegisteredEntry()));
        var overdue = timeline.Single(e => e.Kind == EventKind.Overdue);
        Assert.Equal("2023-03-31", overdue.Detail);
        Assert.Null(overdue.Revision);
        Assert.Equal(OverdueCheck.ServiceSource, overdue.SourceSystem);

        if (store.Projects is IStoreMaintenance maintenance)
        {
            Assert.Equal(history.Events, await maintenance.ReadEventsInRecordedOrder(TestHistory.Project, Cancel));
        }
    }

    [Fact]
    public async Task A_state_with_progress_targets_met_a_registration_and_overdue_findings_loads_back_whole()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var history = TestHistory.Build(harness.Time.GetUtcNow());
        foreach (var commit in history.Commits)
        {
            Assert.IsType<CommitResult.Committed>(await store.Projects.Commit(commit, Cancel));
        }

        await using var reopened = await harness.Open();
        var snapshot = (await reopened.Projects.LoadProject(TestHistory.Project, Cancel))!;
        var listed = Assert.Single(await reopened.Projects.ListProjects(Cancel));

        Assert.Equal(history.Commits.Count, snapshot.Version);
        Assert.Equal(history.State, snapshot.State);
        Assert.Equal(history.State, listed.State);
        // Every field, the registered entry and the values' digits included (ProjectState.Equals compares registrations by id and revision).
        Assert.Equal(TestHistory.Canonical(history.State), TestHistory.Canonical(snapshot.State));
        var state = snapshot.State;
        Assert.Equal(TestHistory.Exact, state.Progress[TestHistory.Metric].Value);
        Assert.Equal(new TargetRecord(2, true), state.TargetsMet[TestHistory.Metric]);
        Assert.Equal(TestHistory.Registrar, state.Registration!.RegisteredBy);
        Assert.Equal(TestHistory.Registration.RegisteredAt.UtcTicks, state.Registration.RegisteredAt.UtcTicks);
        Assert.Equal(["completed/2023-03-31"], state.OverdueNoticed);
        Assert.Equal((true, 2, 1), (state.IsComplete, state.CompletionCount, state.ReopenCount));
    }

    [Fact]
    public async Task Every_kind_of_announcement_waits_in_the_outbox_and_is_claimed_back_whole()
    {
        await using var harness = CreateHarness();
        await using var store = await harness.Open();
        var history = TestHistory.Build(harness.Time.GetUtcNow());
        foreach (var commit in history.Commits)
        {
            Assert.IsType<CommitResult.Committed>(await store.Projects.Commit(commit, Cancel));
        }

        var claimed = await store.Outbox.ClaimPending("dispatcher", 100, TimeSpan.FromSeconds(30), Cancel);

        // Two completions (the second with the target's reading), one reopening by progress, the target met twice, the
        // overdue milestone, and the feed item of each of the six events.
        var kinds = history.Outbox.GroupBy(e => e.Message.GetType().Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int>
        {
            [nameof(ProjectCompletion)] = 2, [nameof(ProjectReopening)] = 1, [nameof(TargetAchievement)] = 2,
            [nameof(OverdueNotice)] = 1, [nameof(EventRecordedNotice)] = 6,
        }, kinds);
        Assert.Equal(history.Outbox.Count, claimed.Count);
        foreach (var expected in history.Outbox)
        {
            var back = Assert.Single(claimed, c => c.MessageId == expected.MessageId);
            Assert.Equal(expected.Message.GetType(), back.Message.GetType());
            Assert.Equal(expected.Message.MessageId, back.Message.MessageId);
            if (expected.Message is EventRecordedNotice notice)
            {
                // The event as recorded: its instants compared as instants (a store may keep them in UTC only).
                var backNotice = (EventRecordedNotice)back.Message;
                Assert.Equal(notice.Event, backNotice.Event);
                Assert.Equal((notice.Changed, notice.ProjectComplete), (backNotice.Changed, backNotice.ProjectComplete));
            }
            else
            {
                Assert.Equal(TestHistory.Canonical(expected.Message), TestHistory.Canonical(back.Message));
            }
            Assert.Equal(expected.TraceParent, back.TraceParent);
            Assert.Equal(expected.EnqueuedAt.UtcTicks, back.EnqueuedAt.UtcTicks);
        }
        var reopening = claimed.Select(c => c.Message).OfType<ProjectReopening>().Single();
        Assert.Equal(ReopenCause.Progress, reopening.Cause);
        Assert.Null(reopening.Retraction);
        Assert.Equal([TestHistory.Metric], reopening.UnmetTargets);
        var completion = claimed.Select(c => c.Message).OfType<ProjectCompletion>().Single(c => c.CompletionNumber == 1);
        Assert.Equal(TestHistory.Exact, Assert.Single(completion.Targets).Reading.Value);
        var feed = claimed.Select(c => c.Message).OfType<EventRecordedNotice>().ToList();
        Assert.Equal(history.Events.OrderBy(e => e.EventId), feed.Select(n => n.Event).OrderBy(e => e.EventId));
        Assert.Equal(EventKind.Overdue, feed.Single(n => n.Event.Detail == "2023-03-31").Event.Kind);
    }
}
