using CsCheck;
using Milestones.Domain.Catalog;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;

namespace Milestones.Domain.Tests;

/// <summary>
/// Properties of retractions over random histories: reports and retractions of some of them, each delivered one to
/// three times, in any order, applied the way the recorder applies them (a redelivered id is a duplicate; a retraction is
/// given the recorded reports of the withdrawn report's milestone).
/// </summary>
public class Retractions_over_random_histories
{
    const string Project = "lize-city-terminal";
    static readonly string[] Codes = ["construction-started", "topped-out", "completed", "opened"];

    abstract record Message(Guid Id);

    sealed record Report(MilestoneEvent Event) : Message(Event.EventId);

    sealed record Withdrawal(Retraction Retraction, bool ByDistrictOffice) : Message(Retraction.EventId);

    sealed record History(MilestonePlan Plan, MilestoneEvent[] Events, Withdrawal[] Retractions, Message[] Delivery, Message[] OtherDelivery)
    {
        public override string ToString() =>
            $"required [{string.Join(",", Plan.Required)}]; delivery {string.Join(" ", Delivery.Select(Describe))}";

        static string Describe(Message m) => m switch
        {
            Report r => $"{r.Event.MilestoneCode}@{r.Event.OccurredAt:dd}/{r.Id.ToString()[..4]}",
            Withdrawal w => $"-{w.Retraction.RetractedEventId.ToString()[..4]}",
            _ => "?",
        };
    }

    static readonly Gen<MilestoneEvent> GenEvent =
        Gen.Select(Gen.Int[0, Codes.Length - 1], Gen.Int[0, 3], Gen.Guid, (code, day, id) => Events.Reached(Project, Codes[code], day, id));

    static Gen<Message[]> GenDelivery(Message[] messages) =>
        Gen.Int[1, 3].Array[messages.Length]
            .Select(copies => messages.SelectMany((m, i) => Enumerable.Repeat(m, copies[i])).ToArray())
            .SelectMany(all => Gen.Int.Array[all.Length].Select(keys => all.Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToArray()));

    static readonly Gen<History> GenHistory =
        from requiredMask in Gen.Int[1, (1 << Codes.Length) - 1]
        from events in GenEvent.Array[0, 16]
        from retractedMask in Gen.Int.Array[events.Length]
        from byOffice in Gen.Bool
        let retractions = events.Where((_, i) => retractedMask[i] % 3 == 0)
            .Select(e => new Withdrawal(Events.Retraction(Project, e.EventId), byOffice)).ToArray()
        let messages = events.Select(e => (Message)new Report(e)).Concat(retractions).ToArray()
        from delivery in GenDelivery(messages)
        from other in GenDelivery(messages)
        let required = Codes.Where((_, i) => (requiredMask & (1 << i)) != 0).ToArray()
        select new History(Events.Plan(Codes, required), events, retractions, delivery, other);

    /// <summary>Applies the delivery as the recorder does, with a list of recorded reports standing in for the store.</summary>
    static (ProjectState State, List<ProjectAnnouncement> Announcements) Run(MilestonePlan plan, Message[] delivery)
    {
        var state = ProjectState.Empty(Project);
        var recorded = new HashSet<Guid>();
        var reports = new List<MilestoneEvent>();
        var announcements = new List<ProjectAnnouncement>();
        foreach (var message in delivery)
        {
            if (!recorded.Add(message.Id))
            {
                continue;
            }
            ProjectDecision outcome;
            if (message is Report report)
            {
                reports.Add(report.Event);
                outcome = state.Apply(plan, report.Event);
            }
            else
            {
                var withdrawal = (Withdrawal)message;
                var retracted = reports.FirstOrDefault(e => e.EventId == withdrawal.Retraction.RetractedEventId);
                var sameMilestone = retracted is null
                    ? []
                    : reports.Where(e => e.MilestoneCode == retracted.MilestoneCode).Select(e => EventRecord.From(e, e.ReportedAt).ToReached());
                outcome = state.Retract(plan, RetractionRecord.From(withdrawal.Retraction, withdrawal.ByDistrictOffice), sameMilestone);
            }
            state = outcome.State;
            if (outcome.Announcement is { } announcement)
            {
                announcements.Add(announcement);
            }
        }
        return (state, announcements);
    }

    [Fact]
    public void The_final_state_is_the_state_of_the_reports_not_retracted() =>
        GenHistory.Sample(h =>
        {
            var (state, _) = Run(h.Plan, h.Delivery);
            var retracted = h.Retractions.Select(w => w.Retraction.RetractedEventId).ToHashSet();
            var expected = ProjectState.Empty(Project);
            foreach (var e in h.Events.Where(e => !retracted.Contains(e.EventId)))
            {
                expected = expected.Apply(h.Plan, e).State;
            }
            return state.Reached.SequenceEqual(expected.Reached) && state.IsComplete == expected.Satisfies(h.Plan);
        }, iter: 3_000);

    [Fact]
    public void The_final_state_does_not_depend_on_order_or_duplicates() =>
        GenHistory.Sample(h =>
        {
            var (one, _) = Run(h.Plan, h.Delivery);
            var (other, _) = Run(h.Plan, h.OtherDelivery);
            return one.Reached.SequenceEqual(other.Reached) && one.IsComplete == other.IsComplete
                && one.Retractions.Keys.SequenceEqual(other.Retractions.Keys);
        }, iter: 3_000);

    [Fact]
    public void Completions_and_reopenings_alternate_one_per_transition() =>
        GenHistory.Sample(h =>
        {
            var (state, announcements) = Run(h.Plan, h.Delivery);
            for (var i = 0; i < announcements.Count; i++)
            {
                var expectedNumber = i / 2 + 1;
                var ok = i % 2 == 0
                    ? announcements[i] is ProjectCompletion c && c.CompletionNumber == expectedNumber
                    : announcements[i] is ProjectReopening r && r.ReopenNumber == expectedNumber
                        && r.MissingMilestones.Count > 0 && r.MissingMilestones.All(code => h.Plan.Required.Contains(code));
                if (!ok)
                {
                    return false;
                }
            }
            var completions = announcements.Count(a => a is ProjectCompletion);
            return state.IsComplete == (announcements.Count % 2 == 1)
                && state.CompletionCount == completions
                && state.ReopenCount == announcements.Count - completions
                && state.IsComplete == state.Satisfies(h.Plan);
        }, iter: 3_000);

    [Fact]
    public void Message_ids_of_announcements_never_repeat_within_a_history() =>
        GenHistory.Sample(h =>
        {
            var (_, announcements) = Run(h.Plan, h.Delivery);
            return announcements.Select(a => a.MessageId).Distinct().Count() == announcements.Count;
        }, iter: 1_000);
}
