using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;

namespace Milestones.Domain.Tests;

/// <summary>Registrations: a higher revision replaces a project's entry and completion is decided again under it.</summary>
public class Amending_the_catalog
{
    const string Terminal = "lize-city-terminal";
    static readonly ProjectCatalog Catalog = Events.Catalog();

    static CatalogRegistration Registration(ProjectDefinition entry, int revision, Guid? id = null) => new()
    {
        EventId = id ?? Guid.NewGuid(),
        Definition = entry with { Revision = revision },
        RegisteredAt = Events.Day0.AddDays(40),
        SourceSystem = Events.Source,
    };

    static ProjectState Complete(ProjectDefinition entry)
    {
        var state = ProjectState.Empty(entry.Id);
        foreach (var code in entry.Plan.Required)
        {
            state = state.Apply(CompletionRule.Of(entry), Events.Reached(entry.Id, code, 1)).State;
        }
        Assert.True(state.IsComplete);
        return state;
    }

    [Fact]
    public void A_revision_that_requires_one_more_milestone_reopens_a_complete_project_and_the_milestone_completes_it_again()
    {
        var file = Catalog.Get(Terminal);
        var amended = file with { Plan = file.Plan with { Required = [.. file.Plan.Required, "topped-out"] } };
        var registration = Registration(amended, 2);

        var outcome = Complete(file).Register(file, registration);

        var reopening = Assert.IsType<ProjectReopening>(outcome.Announcement);
        Assert.Equal(ReopenCause.PlanAmended, reopening.Cause);
        Assert.Equal(["topped-out"], reopening.MissingMilestones);
        Assert.Equal(registration.EventId, reopening.TriggeringEventId);
        Assert.Null(reopening.Retraction);
        Assert.False(outcome.State.IsComplete);
        Assert.Equal(2, outcome.State.Registration!.Revision);

        var again = outcome.State.Apply(CompletionRule.Of(registration.Definition), Events.Reached(Terminal, "topped-out", 2));
        Assert.Equal(2, Assert.IsType<ProjectCompletion>(again.Announcement).CompletionNumber);
    }

    [Fact]
    public void A_revision_not_higher_than_the_one_in_force_changes_nothing()
    {
        var file = Catalog.Get(Terminal);
        var state = Complete(file);
        var amended = file with { Plan = file.Plan with { Required = ["plan-approved"] } };

        Assert.False(state.Register(file, Registration(amended, 1)).Changed);
        var registered = state.Register(file, Registration(amended, 3)).State;
        Assert.False(registered.Register(registered.Registration!.Definition, Registration(file, 2)).Changed);
    }

    [Fact]
    public void A_revision_that_lowers_a_target_to_the_value_reached_completes_the_project()
    {
        var park = Catalog.Get("nanyuan-forest-wetland-park");
        var rule = CompletionRule.Of(park);
        var state = ProjectState.Empty(park.Id).Apply(rule, Events.Reached(park.Id, "opened", 1)).State;
        state = state.Apply(rule, Events.Progress(park.Id, "open-area", 1900m, "mu", 2)).State;
        Assert.False(state.IsComplete);

        var lowered = park with { Targets = [park.Targets[0] with { Target = 1900m }] };
        var outcome = state.Register(park, Registration(lowered, 2));

        Assert.Equal(1, Assert.Single(outcome.Announcements.OfType<TargetAchievement>()).Number);
        Assert.Equal(1, Assert.IsType<ProjectCompletion>(outcome.Announcement).CompletionNumber);
    }

    [Fact]
    public void The_catalog_puts_the_highest_revision_in_force_and_keeps_it()
    {
        var catalog = Events.Catalog();
        var file = catalog.Get(Terminal);
        var renamed = file with { NameEn = "Lize City Air Terminal (amended)", Revision = 3 };
        var older = file with { NameEn = "older", Revision = 2 };

        Assert.True(catalog.Register(new ProjectRegistration(Guid.NewGuid(), renamed, Events.Source, Events.Day0)));
        Assert.False(catalog.Register(new ProjectRegistration(Guid.NewGuid(), older, Events.Source, Events.Day0)));

        Assert.Equal("Lize City Air Terminal (amended)", catalog.Get(Terminal).NameEn);
        Assert.Equal(3, catalog.RegistrationOf(Terminal)!.Revision);
        Assert.Equal(1, catalog.SeededEntry(Terminal)!.Revision);
        Assert.Equal(catalog.Projects.Count, catalog.Projects.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void A_registration_of_a_new_project_adds_it_to_the_catalog()
    {
        var catalog = Events.Catalog();
        var count = catalog.Projects.Count;
        var entry = catalog.Get(Terminal) with { Id = "fengtai-new-project", NameZh = "新项目", Reporters = ["lize-pmo"] };

        Assert.Empty(catalog.Check(entry));
        Assert.True(catalog.Register(new ProjectRegistration(Guid.NewGuid(), entry, Events.Source, Events.Day0)));

        Assert.Equal(count + 1, catalog.Projects.Count);
        Assert.True(catalog.TryGetSource("lize-pmo", out var lize));
        Assert.True(lize.MayReport(catalog.Get("fengtai-new-project")));
    }

    [Fact]
    public void An_entry_the_catalog_file_could_not_hold_is_reported_with_every_problem()
    {
        var entry = Catalog.Get(Terminal) with
        {
            Id = "Not A Slug",
            Reporters = ["nobody"],
            Schedule = [new ScheduledMilestone("land-prepared", new DateOnly(2023, 12, 31), null)],
        };

        var problems = Catalog.Check(entry);

        Assert.Contains(problems, p => p.Contains("ASCII slug", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("reporter 'nobody'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("schedule names milestone 'land-prepared'", StringComparison.Ordinal));
    }
}
