using CsCheck;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;

namespace Milestones.Domain.Tests;

/// <summary>
/// Properties of the completion rule over random histories: any subset of the vocabulary required, several reports
/// per milestone (with tied times), each delivered one to three times, in any order.
/// </summary>
public class Completion_over_random_histories
{
    const string Project = "lize-city-terminal";
    static readonly string[] Codes = MilestoneVocabulary.Stages.Select(s => s.Code).ToArray();

    /// <summary>A plan, the distinct events of a history, and two delivery orders of them with duplicates.</summary>
    sealed record History(MilestonePlan Plan, MilestoneEvent[] Events, MilestoneEvent[] Delivery, MilestoneEvent[] OtherDelivery)
    {
        public override string ToString() =>
            $"required [{string.Join(",", Plan.Required)}]; delivery {string.Join(" ", Delivery.Select(e => $"{e.MilestoneCode}@{e.OccurredAt:MMdd}/{e.EventId.ToString()[..4]}"))}";
    }

    static readonly Gen<MilestoneEvent> GenEvent =
        Gen.Select(Gen.Int[0, Codes.Length - 1], Gen.Int[0, 5], Gen.Guid, (code, day, id) => Events.Reached(Project, Codes[code], day, id));

    static Gen<MilestoneEvent[]> GenDelivery(MilestoneEvent[] events) =>
        Gen.Int[1, 3].Array[events.Length]
            .Select(copies => events.SelectMany((e, i) => Enumerable.Repeat(e, copies[i])).ToArray())
            .SelectMany(all => Gen.Int.Array[all.Length].Select(keys => all.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray()));

    static readonly Gen<History> GenHistory =
        from requiredMask in Gen.Int[1, (1 << Codes.Length) - 1]
        from events in GenEvent.Array[0, 24]
        from delivery in GenDelivery(events)
        from other in GenDelivery(events)
        let required = Codes.Where((_, i) => (requiredMask & (1 << i)) != 0).ToArray()
        select new History(Events.Plan(Codes, required), events, delivery, other);

    static (ProjectState State, List<(int Index, ProjectCompletion Completion)> Completions) Run(MilestonePlan plan, MilestoneEvent[] delivery)
    {
        var state = ProjectState.Empty(Project);
        var completions = new List<(int, ProjectCompletion)>();
        for (var i = 0; i < delivery.Length; i++)
        {
            var outcome = state.Apply(plan, delivery[i]);
            state = outcome.State;
            if (outcome.Completion is { } completion)
            {
                completions.Add((i, completion));
            }
        }
        return (state, completions);
    }

    [Fact]
    public void The_final_state_does_not_depend_on_order_or_duplicates() =>
        GenHistory.Sample(h => Run(h.Plan, h.Delivery).State == Run(h.Plan, h.OtherDelivery).State, iter: 2_000);

    [Fact]
    public void Each_milestone_is_held_by_its_earliest_report() =>
        GenHistory.Sample(h =>
        {
            var state = Run(h.Plan, h.Delivery).State;
            var expected = h.Events.GroupBy(e => e.MilestoneCode)
                .ToDictionary(g => g.Key, g => g.OrderBy(e => e.OccurredAt.UtcTicks).ThenBy(e => e.EventId).First().EventId);
            return state.Reached.Count == expected.Count && expected.All(p => state.Reached[p.Key].EventId == p.Value);
        }, iter: 2_000);

    [Fact]
    public void Completion_is_decided_exactly_once_exactly_when_the_last_required_milestone_arrives() =>
        GenHistory.Sample(h =>
        {
            var (state, completions) = Run(h.Plan, h.Delivery);
            var firstCovered = FirstIndexCoveringRequired(h.Plan, h.Delivery);
            if (firstCovered is null)
            {
                return completions.Count == 0 && !state.IsComplete;
            }
            var (index, completion) = completions.Single();
            return index == firstCovered
                && completion.TriggeringEventId == h.Delivery[index].EventId
                && completion.CompletionNumber == 1
                && state.IsComplete;
        }, iter: 2_000);

    [Fact]
    public void The_completion_time_is_the_latest_required_time_at_the_moment_of_completion() =>
        GenHistory.Sample(h =>
        {
            var (_, completions) = Run(h.Plan, h.Delivery);
            if (completions.Count == 0)
            {
                return true;
            }
            var (index, completion) = completions[0];
            var seen = h.Delivery.Take(index + 1).ToList();
            var expected = h.Plan.Required.Max(code => seen.Where(e => e.MilestoneCode == code).Min(e => e.OccurredAt));
            return completion.CompletedAt == expected;
        }, iter: 1_000);

    [Fact]
    public void Every_catalog_project_completes_once_in_any_order_of_its_required_milestones_and_targets()
    {
        var catalog = Events.Catalog();
        var gen = from projectIndex in Gen.Int[0, catalog.Projects.Count - 1]
                  let project = catalog.Projects[projectIndex]
                  let reports = project.Plan.Milestones.Select((code, i) => (object)Events.Reached(project.Id, code, i))
                  let progress = project.Targets.Select((t, i) => (object)Events.Progress(project.Id, t.Metric, t.Target, t.Unit, i))
                  from delivery in GenInputs(reports.Concat(progress).ToArray())
                  select (project, delivery);
        gen.Sample(t =>
        {
            var rule = CompletionRule.Of(t.project);
            var state = ProjectState.Empty(t.project.Id);
            var completions = 0;
            foreach (var input in t.delivery)
            {
                var outcome = input is MilestoneEvent e ? state.Apply(rule, e) : state.Apply(rule, (ProgressReport)input);
                state = outcome.State;
                completions += outcome.Completion is null ? 0 : 1;
            }
            return completions == 1 && state.IsComplete;
        }, iter: 500);
    }

    static Gen<object[]> GenInputs(object[] inputs) =>
        Gen.Int[1, 3].Array[inputs.Length]
            .Select(copies => inputs.SelectMany((e, i) => Enumerable.Repeat(e, copies[i])).ToArray())
            .SelectMany(all => Gen.Int.Array[all.Length].Select(keys => all.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray()));

    static int? FirstIndexCoveringRequired(MilestonePlan plan, MilestoneEvent[] delivery)
    {
        var missing = new HashSet<string>(plan.Required);
        for (var i = 0; i < delivery.Length; i++)
        {
            missing.Remove(delivery[i].MilestoneCode);
            if (missing.Count == 0)
            {
                return i;
            }
        }
        return null;
    }
}
