using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;

namespace Milestones.Domain.Tests;

/// <summary>A scheduled milestone not reached by the end of its due day (China Standard Time) is overdue, announced once per due date.</summary>
public class Watching_the_schedule
{
    // 丽泽国际金融城全面开工, planned for 2023: due 2023-12-31, overdue from 2024-01-01 00:00 in Beijing.
    const string Project = "lize-international-finance-city";
    static readonly ProjectDefinition Entry = Events.Catalog().Get(Project);
    static readonly DateOnly Due = new(2023, 12, 31);
    static readonly DateTimeOffset DueEnd = new(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    static OverdueCheck Check(DateTimeOffset at) => new(Project, "construction-started", Due, at);

    [Fact]
    public void The_catalog_schedules_the_reports_plans_for_the_end_of_2023()
    {
        var item = Assert.Single(Entry.Schedule);
        Assert.Equal(("construction-started", Due), (item.Milestone, item.Due));
        Assert.Equal(DueEnd, item.DueEnd);
        Assert.Equal(DateTimeOffset.Parse("2023-12-31T16:00:00Z", System.Globalization.CultureInfo.InvariantCulture), item.DueEnd);
    }

    [Fact]
    public void Nothing_is_overdue_before_the_due_day_ends()
    {
        var state = ProjectState.Empty(Project);
        Assert.Empty(state.Overdue(Entry, DueEnd.AddTicks(-1)));
        Assert.Null(state.NoteOverdue(Entry, Check(DueEnd.AddTicks(-1))));
    }

    [Fact]
    public void An_overdue_milestone_is_announced_once_for_its_due_date()
    {
        var state = ProjectState.Empty(Project);
        Assert.Single(state.Overdue(Entry, DueEnd));

        var first = state.NoteOverdue(Entry, Check(DueEnd.AddDays(3).AddHours(5)))!;
        var notice = Assert.IsType<OverdueNotice>(Assert.Single(first.Announcements));
        Assert.Equal(3, notice.DaysLate);
        Assert.Equal(Check(DueEnd).EventId, notice.MessageId);

        var second = first.State.NoteOverdue(Entry, Check(DueEnd.AddDays(10)))!;
        Assert.False(second.Changed);
        Assert.Empty(second.Announcements);
    }

    [Fact]
    public void A_milestone_reached_is_not_overdue_even_when_reached_late()
    {
        var state = ProjectState.Empty(Project).Apply(CompletionRule.Of(Entry), Events.Reached(Project, "construction-started", 700)).State;
        Assert.Empty(state.Overdue(Entry, DueEnd.AddDays(30)));
        Assert.Null(state.NoteOverdue(Entry, Check(DueEnd.AddDays(30))));
    }

    [Fact]
    public void A_new_due_date_can_be_noticed_again()
    {
        var noticed = ProjectState.Empty(Project).NoteOverdue(Entry, Check(DueEnd))!.State;
        var moved = Entry with { Revision = 2, Schedule = [new ScheduledMilestone("construction-started", new DateOnly(2024, 6, 30), "延至2024年6月")] };
        var later = new OverdueCheck(Project, "construction-started", new DateOnly(2024, 6, 30), DueEnd.AddYears(1));

        Assert.Null(noticed.NoteOverdue(moved, Check(DueEnd.AddYears(1))));
        var again = noticed.NoteOverdue(moved, later)!;
        Assert.Single(again.Announcements);
        Assert.NotEqual(Check(DueEnd).EventId, later.EventId);
    }
}
