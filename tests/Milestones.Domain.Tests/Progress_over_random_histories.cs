using CsCheck;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;

namespace Milestones.Domain.Tests;

/// <summary>
/// Properties of progress toward targets over random histories of 南苑森林湿地公园 (its plan requires <c>opened</c> and an
/// open area of at least 2 037 mu): milestone reports and progress reports with tied and untied times, each delivered one
/// to three times, in any order, some progress reports withdrawn.
/// </summary>
public class Progress_over_random_histories
{
    const string Project = "nanyuan-forest-wetland-park";
    const string Metric = "open-area";
    static readonly ProjectDefinition Park = Events.Catalog().Get(Project);
    static readonly CompletionRule Rule = CompletionRule.Of(Park);

    abstract record Input(Guid Id);

    sealed record Report(MilestoneEvent Event) : Input(Event.EventId);

    sealed record Measure(ProgressReport Progress) : Input(Progress.EventId);

    sealed record Withdrawal(Retraction Retraction) : Input(Retraction.EventId);

    sealed record History(Input[] Distinct, Input[] Delivery, Input[] OtherDelivery)
    {
        public override string ToString() => string.Join(" ", Delivery.Select(i => i switch
        {
            Report r => $"{r.Event.MilestoneCode}@{r.Event.OccurredAt:dd}",
            Measure m => $"{m.Progress.Value}@{m.Progress.OccurredAt:dd}/{m.Id.ToString()[..4]}",
            Withdrawal w => $"-{w.Retraction.RetractedEventId.ToString()[..4]}",
            _ => "?",
        }));
    }

    static readonly Gen<Input> GenReport =
        Gen.Select(Gen.Int[0, Park.Plan.Milestones.Count - 1], Gen.Int[0, 3], (code, day) => (Input)new Report(Events.Reached(Project, Park.Plan.Milestones[code], day)));

    // Values around the target, on few days, so that ties and crossings both happen.
    static readonly Gen<Input> GenMeasure =
        Gen.Select(Gen.Int[1400, 2200], Gen.Int[0, 3], Gen.Guid, (value, day, id) => (Input)new Measure(Events.Progress(Project, Metric, value, "mu", day, id)));

    static Gen<Input[]> GenDelivery(Input[] inputs) =>
        Gen.Int[1, 3].Array[inputs.Length]
            .Select(copies => inputs.SelectMany((m, i) => Enumerable.Repeat(m, copies[i])).ToArray())
            .SelectMany(all => Gen.Int.Array[all.Length].Select(keys => all.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray()));

    static readonly Gen<History> GenHistory =
        from reports in GenReport.Array[0, 4]
        from measures in GenMeasure.Array[0, 8]
        from withdrawn in Gen.Int.Array[measures.Length]
        let retractions = measures.Where((_, i) => withdrawn[i] % 4 == 0).Select(m => (Input)new Withdrawal(Events.Retraction(Project, m.Id, "measured twice")))
        let distinct = reports.Concat(measures).Concat(retractions).ToArray()
        from delivery in GenDelivery(distinct)
        from other in GenDelivery(distinct)
        select new History(distinct, delivery, other);

    /// <summary>Applies a delivery as the recorder does: a redelivered id is a duplicate; a retraction gets the recorded reports of its metric.</summary>
    static (ProjectState State, List<ProjectAnnouncement> Announcements) Run(Input[] delivery)
    {
        var state = ProjectState.Empty(Project);
        var seen = new HashSet<Guid>();
        var recorded = new List<ProgressReading>();
        var announcements = new List<ProjectAnnouncement>();
        foreach (var input in delivery)
        {
            if (!seen.Add(input.Id))
            {
                continue;
            }
            var outcome = input switch
            {
                Report r => state.Apply(Rule, r.Event),
                Measure m => state.Apply(Rule, m.Progress),
                Withdrawal w => state.Retract(Rule, RetractionRecord.From(w.Retraction, byDistrictOffice: true), [], recorded),
                _ => throw new InvalidOperationException(),
            };
            if (input is Measure measured)
            {
                recorded.Add(measured.Progress.ToReading());
            }
            state = outcome.State;
            announcements.AddRange(outcome.Announcements);
        }
        return (state, announcements);
    }

    /// <summary>
    /// What the project has (milestones, values, completion, targets met now) does not depend on order or duplicates; how
    /// many times it crossed there (completion and met counts) does, as with retractions of milestones.
    /// </summary>
    [Fact]
    public void The_final_state_does_not_depend_on_order_or_duplicates() =>
        GenHistory.Sample(h =>
        {
            var (a, b) = (Run(h.Delivery).State, Run(h.OtherDelivery).State);
            return a.Reached.SequenceEqual(b.Reached)
                && a.Progress.SequenceEqual(b.Progress)
                && a.IsComplete == b.IsComplete
                && MetNow(a).SequenceEqual(MetNow(b));
        }, iter: 2_000);

    static IEnumerable<string> MetNow(ProjectState state) => state.TargetsMet.Where(t => t.Value.IsMet).Select(t => t.Key);

    [Fact]
    public void A_metric_holds_its_latest_report_not_withdrawn() =>
        GenHistory.Sample(h =>
        {
            var withdrawn = h.Distinct.OfType<Withdrawal>().Select(w => w.Retraction.RetractedEventId).ToHashSet();
            var latest = h.Distinct.OfType<Measure>().Select(m => m.Progress).Where(p => !withdrawn.Contains(p.EventId))
                .OrderByDescending(p => p.OccurredAt.UtcTicks).ThenByDescending(p => p.EventId).FirstOrDefault();
            var state = Run(h.Delivery).State;
            return state.Progress.GetValueOrDefault(Metric)?.EventId == latest?.EventId;
        }, iter: 2_000);

    [Fact]
    public void Completion_requires_the_milestone_and_the_target_as_they_finally_stand() =>
        GenHistory.Sample(h =>
        {
            var state = Run(h.Delivery).State;
            var met = state.Progress.TryGetValue(Metric, out var value) && value.Value >= 2037;
            var opened = state.Reached.ContainsKey("opened");
            return state.IsComplete == (opened && met) && (state.TargetsMet.GetValueOrDefault(Metric)?.IsMet ?? false) == met;
        }, iter: 2_000);

    [Fact]
    public void Each_announcement_marks_one_transition_and_they_are_numbered_in_turn() =>
        GenHistory.Sample(h =>
        {
            // A model that knows only the rule: after each applied input, is the target met, is the project satisfied?
            var (_, announcements) = Run(h.Delivery);
            var state = ProjectState.Empty(Project);
            var seen = new HashSet<Guid>();
            var recorded = new List<ProgressReading>();
            bool met = false, satisfied = false;
            int targetTransitions = 0, completions = 0, reopenings = 0;
            foreach (var input in h.Delivery.Where(i => seen.Add(i.Id)))
            {
                state = input switch
                {
                    Report r => state.Apply(Rule, r.Event).State,
                    Measure m => state.Apply(Rule, m.Progress).State,
                    Withdrawal w => state.Retract(Rule, RetractionRecord.From(w.Retraction, true), [], recorded).State,
                    _ => state,
                };
                if (input is Measure measured)
                {
                    recorded.Add(measured.Progress.ToReading());
                }
                var nowMet = state.Progress.TryGetValue(Metric, out var v) && v.Value >= 2037;
                var nowSatisfied = nowMet && state.Reached.ContainsKey("opened");
                targetTransitions += nowMet && !met ? 1 : 0;
                completions += nowSatisfied && !satisfied ? 1 : 0;
                reopenings += !nowSatisfied && satisfied ? 1 : 0;
                (met, satisfied) = (nowMet, nowSatisfied);
            }
            var targetMet = announcements.OfType<TargetAchievement>().ToList();
            var completed = announcements.OfType<ProjectCompletion>().ToList();
            var reopened = announcements.OfType<ProjectReopening>().ToList();
            return targetMet.Count == targetTransitions
                && targetMet.Select(t => t.Number).SequenceEqual(Enumerable.Range(1, targetTransitions))
                && targetMet.All(t => t.Reading.Value >= t.Target)
                && completed.Count == completions
                && completed.Select(c => c.CompletionNumber).SequenceEqual(Enumerable.Range(1, completions))
                && completed.All(c => c.Targets.Single().Reading.Value >= 2037)
                && reopened.Count == reopenings
                && announcements.Select(a => a.MessageId).Distinct().Count() == announcements.Count;
        }, iter: 2_000);

    [Fact]
    public void Reports_of_1600_then_2037_after_opened_complete_the_park_once_in_any_order()
    {
        var opened = new Report(Events.Reached(Project, "opened", 0));
        var first = new Measure(Events.Progress(Project, Metric, 1600m, "mu", 1));
        var second = new Measure(Events.Progress(Project, Metric, 2037m, "mu", 2));
        GenDelivery([opened, first, second]).Sample(delivery =>
        {
            var (state, announcements) = Run(delivery);
            var completion = announcements.OfType<ProjectCompletion>().Single();
            var met = announcements.OfType<TargetAchievement>().Single();
            return state.IsComplete
                && met.Reading.EventId == second.Id
                && completion.CompletedAt == second.Progress.OccurredAt
                && completion.Targets.Single().Reading.Value == 2037m;
        }, iter: 500);
    }
}
