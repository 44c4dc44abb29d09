using Milestones.Domain.Projects;
using static Milestones.Domain.MilestoneVocabulary;

namespace Milestones.Domain.Tests;

public class Applying_milestones_to_a_project
{
    const string Project = "lize-city-terminal";
    static readonly Catalog.MilestonePlan Plan = Events.Plan([ConstructionStarted, ToppedOut, Completed, Opened], [Completed, Opened]);

    [Fact]
    public void Completes_when_the_last_required_milestone_arrives_and_not_before()
    {
        var state = ProjectState.Empty(Project);
        var started = state.Apply(Plan, Events.Reached(Project, ConstructionStarted, day: 0));
        var completed = started.State.Apply(Plan, Events.Reached(Project, Completed, day: 30));
        var opened = Events.Reached(Project, Opened, day: 40);
        var done = completed.State.Apply(Plan, opened);

        Assert.Null(started.Completion);
        Assert.Null(completed.Completion);
        Assert.False(completed.State.IsComplete);
        Assert.NotNull(done.Completion);
        Assert.True(done.State.IsComplete);
        Assert.Equal(1, done.Completion.CompletionNumber);
        Assert.Equal(opened.EventId, done.Completion.TriggeringEventId);
        Assert.Equal(Events.Day0.AddDays(40), done.Completion.CompletedAt);
        Assert.Equal([Completed, Opened], done.Completion.Milestones.Select(m => m.Code));
    }

    [Fact]
    public void Takes_the_latest_required_time_as_completion_time_whatever_the_arrival_order()
    {
        var state = ProjectState.Empty(Project)
            .Apply(Plan, Events.Reached(Project, Opened, day: 50)).State;
        var done = state.Apply(Plan, Events.Reached(Project, Completed, day: 20));

        Assert.Equal(Events.Day0.AddDays(50), done.Completion!.CompletedAt);
    }

    [Fact]
    public void Ignores_a_redelivered_event()
    {
        var e = Events.Reached(Project, Completed, day: 3);
        var once = ProjectState.Empty(Project).Apply(Plan, e);
        var twice = once.State.Apply(Plan, e);

        Assert.True(once.Changed);
        Assert.False(twice.Changed);
        Assert.Same(once.State, twice.State);
    }

    [Fact]
    public void Keeps_the_earliest_report_of_a_milestone()
    {
        var late = Events.Reached(Project, ToppedOut, day: 10);
        var early = Events.Reached(Project, ToppedOut, day: 5);
        var afterLate = ProjectState.Empty(Project).Apply(Plan, late).State;

        var afterEarly = afterLate.Apply(Plan, early);
        var lateAgain = afterEarly.State.Apply(Plan, Events.Reached(Project, ToppedOut, day: 7));

        Assert.True(afterEarly.Changed);
        Assert.Equal(early.EventId, afterEarly.State.Reached[ToppedOut].EventId);
        Assert.False(lateAgain.Changed);
    }

    [Fact]
    public void Decides_completion_once_even_when_a_required_milestone_is_reported_again_earlier()
    {
        var done = ProjectState.Empty(Project)
            .Apply(Plan, Events.Reached(Project, Completed, day: 10)).State
            .Apply(Plan, Events.Reached(Project, Opened, day: 20));
        var again = done.State.Apply(Plan, Events.Reached(Project, Opened, day: 15));

        Assert.NotNull(done.Completion);
        Assert.True(again.Changed);
        Assert.Null(again.Completion);
        Assert.Equal(1, again.State.CompletionCount);
    }

    [Fact]
    public void Refuses_an_event_of_another_project() =>
        Assert.Throws<ArgumentException>(() => ProjectState.Empty(Project).Apply(Plan, Events.Reached("subway-16-south", Opened)));

    [Fact]
    public void Gives_each_completion_its_own_deterministic_message_id()
    {
        var first = new ProjectCompletion(Project, 1, Events.Day0, [], Guid.NewGuid());
        var sameAfterCrash = first with { TriggeringEventId = Guid.NewGuid() };
        var second = first with { CompletionNumber = 2 };

        Assert.Equal(first.MessageId, sameAfterCrash.MessageId);
        Assert.NotEqual(first.MessageId, second.MessageId);
        Assert.NotEqual(first.MessageId, (first with { ProjectId = "subway-16-south" }).MessageId);
        Assert.Equal(8, first.MessageId.Version);
    }
}
