using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// kill -9 the worker in the middle of retractions that take every complete project's first required milestone away,
/// start it again on the same store: every project is reopened exactly once (one <c>ProjectReopened</c> message id
/// each), and new reports complete each again with completion number 2 (a second <c>ProjectCompleted</c> id each).
/// Guards the retraction's commit (event, state and reopening in one unit), its redelivery as a duplicate, and the
/// reopening's deterministic message id.
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Killed_worker_during_retractions(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    const string ReopenedQueue = "it-project-reopened";

    [Fact]
    public async Task Every_project_is_reopened_once_and_completed_again_once()
    {
        await Connect();
        await Client.Subscribe(WireNames.ProjectReopenedExchange, ReopenedQueue);
        // Every milestone of every plan reported four times, so every project completes, and most retractions take away
        // one report of several: only the last of a milestone reopens.
        var events = Events.Stream(Events.CompletedByMilestones.Count * 5 * 4);
        var worker = StartWorker("worker");
        await worker.WaitUntilReady();
        await Publish(events);
        await Poll.Until(() => Store.CountEvents() == events.Count && Store.PendingOutbox() == 0, TimeSpan.FromSeconds(90),
            () => $"{Store.CountEvents()} of {events.Count} events recorded");
        Assert.All(Store.Projects().Values, p => Assert.True(p.IsComplete));

        var retractions = events
            .Where(e => e.MilestoneCode == Events.Catalog.Get(e.ProjectId).Plan.Required[0])
            .Select(e => new MilestoneRetracted
            {
                EventId = Guid.NewGuid(),
                ProjectId = e.ProjectId,
                RetractedEventId = e.EventId,
                Reason = "误报",
                RetractedAt = DateTimeOffset.UtcNow,
            })
            .ToList();
        // The kill lands while the retractions are still arriving, so that it cannot come after the last of them.
        var publishing = Publish(WireNames.MilestoneRetractedExchange, retractions, r => r.EventId, "retractions");
        await WaitForEvents(events.Count + 10, TimeSpan.FromSeconds(60));
        await worker.Kill();
        await publishing;
        var atKill = Store.CountEvents() - events.Count;
        Mark($"killed with {atKill} of {retractions.Count} retractions recorded");
        Assert.InRange(atKill, 1, retractions.Count - 1);

        var restarted = StartWorker("worker (restarted)");
        await restarted.WaitUntilReady();
        await Poll.Until(() => Store.CountEvents() == events.Count + retractions.Count && Store.PendingOutbox() == 0, TimeSpan.FromSeconds(90),
            () => $"{Store.CountEvents() - events.Count} of {retractions.Count} retractions recorded, {Store.PendingOutbox()} announcements pending");
        Assert.All(Store.Projects().Values, p => Assert.False(p.IsComplete));
        Assert.All(Store.ReopenCounts().Values, count => Assert.Equal(1, count));

        var reports = Events.CompletedByMilestones.Select(p => Events.Valid(p.Id, p.Plan.Required[0])).ToList();
        await Publish(reports);
        await Poll.Until(() => Store.Projects().Values.All(p => p.IsComplete) && Store.PendingOutbox() == 0, TimeSpan.FromSeconds(60),
            () => $"{Store.Projects().Values.Count(p => p.IsComplete)} of {Events.CompletedByMilestones.Count} complete again");
        Assert.All(Store.Projects().Values, p => Assert.Equal(2, p.CompletionCount));

        IReadOnlyDictionary<string, int> completions = new Dictionary<string, int>();
        await Poll.Until(async () => (completions = await Completions()).Count >= 2 * Events.CompletedByMilestones.Count, TimeSpan.FromSeconds(20),
            () => $"{completions.Count} distinct ProjectCompleted message ids");
        Assert.Equal(2 * Events.CompletedByMilestones.Count, completions.Count);
        var reopenings = (await Client.Drain(ReopenedQueue)).Select(m => m.Properties.MessageId).Distinct().Count();
        Assert.Equal(Events.CompletedByMilestones.Count, reopenings);
        Assert.Empty(await Client.Drain(Queues.RetractionsError));
    }
}
