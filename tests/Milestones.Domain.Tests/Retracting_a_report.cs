using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Domain.Tests;

public class Retracting_a_report
{
    const string Project = "lize-city-terminal";
    static readonly MilestonePlan Plan = Events.Plan([ConstructionStarted, Completed, Opened], [Completed, Opened]);

    static RetractionRecord Withdraw(MilestoneEvent e, string by = Events.Source, bool office = false) =>
        new(Guid.NewGuid(), e.EventId, by, office, "reported by mistake", Events.Day0.AddDays(60));

    static IEnumerable<ReachedMilestone> Reports(params MilestoneEvent[] events) => events.Select(e => EventRecord.From(e, e.ReportedAt).ToReached());

    [Fact]
    public void Of_the_last_required_milestone_reopens_the_project_and_a_new_report_completes_it_again()
    {
        var completed = Events.Reached(Project, Completed, 10);
        var opened = Events.Reached(Project, Opened, 20);
        var state = ProjectState.Empty(Project).Apply(Plan, completed).State.Apply(Plan, opened).State;
        Assert.True(state.IsComplete);

        var withdrawal = Withdraw(opened);
        var retracted = state.Retract(Plan, withdrawal, Reports(opened));

        var reopening = Assert.IsType<ProjectReopening>(retracted.Announcement);
        Assert.Equal(1, reopening.ReopenNumber);
        Assert.Equal([Opened], reopening.MissingMilestones);
        Assert.Equal(withdrawal, reopening.Retraction);
        Assert.False(retracted.State.IsComplete);
        Assert.False(retracted.State.Reached.ContainsKey(Opened));

        var reopenedAgain = retracted.State.Apply(Plan, Events.Reached(Project, Opened, 25));
        Assert.Equal(2, Assert.IsType<ProjectCompletion>(reopenedAgain.Announcement).CompletionNumber);
        Assert.NotEqual(reopening.MessageId, reopenedAgain.Announcement!.MessageId);
    }

    [Fact]
    public void That_was_the_earliest_of_several_lets_the_next_earliest_hold_the_milestone_and_the_project_stays_complete()
    {
        var completed = Events.Reached(Project, Completed, 10);
        var early = Events.Reached(Project, Opened, 20);
        var late = Events.Reached(Project, Opened, 22);
        var state = ProjectState.Empty(Project).Apply(Plan, completed).State.Apply(Plan, early).State.Apply(Plan, late).State;

        var outcome = state.Retract(Plan, Withdraw(early), Reports(early, late));

        Assert.Null(outcome.Announcement);
        Assert.True(outcome.State.IsComplete);
        Assert.Equal(late.EventId, outcome.State.Reached[Opened].EventId);
    }

    [Fact]
    public void Before_the_report_arrives_still_wins_and_the_report_is_recorded_with_no_effect()
    {
        var completed = Events.Reached(Project, Completed, 10);
        var opened = Events.Reached(Project, Opened, 20);
        var state = ProjectState.Empty(Project).Retract(Plan, Withdraw(opened), []).State;

        var after = state.Apply(Plan, completed).State.Apply(Plan, opened);

        Assert.False(after.Changed);
        Assert.Null(after.Announcement);
        Assert.False(after.State.IsComplete);
        Assert.False(after.State.Reached.ContainsKey(Opened));
    }

    [Fact]
    public void By_another_source_does_not_withdraw_a_report_that_arrives_later_unless_it_is_the_district_office()
    {
        var opened = Events.Reached(Project, Opened, 20);
        var byOther = ProjectState.Empty(Project).Retract(Plan, Withdraw(opened, by: "someone-else"), []).State;
        var byOffice = ProjectState.Empty(Project).Retract(Plan, Withdraw(opened, by: "fengtai-pmo", office: true), []).State;

        Assert.True(byOther.Apply(Plan, opened).State.Reached.ContainsKey(Opened));
        Assert.False(byOffice.Apply(Plan, opened).State.Reached.ContainsKey(Opened));
    }

    [Fact]
    public void A_second_time_changes_nothing()
    {
        var opened = Events.Reached(Project, Opened, 20);
        var state = ProjectState.Empty(Project).Apply(Plan, opened).State;
        var once = state.Retract(Plan, Withdraw(opened), Reports(opened)).State;

        var twice = once.Retract(Plan, Withdraw(opened), Reports(opened));

        Assert.False(twice.Changed);
        Assert.Same(once, twice.State);
    }
}
