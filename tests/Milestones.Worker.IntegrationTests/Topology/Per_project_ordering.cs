using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.Topology;

/// <summary>
/// Inside one replica, the events of one project are applied one after the other, so the replica never loses a
/// version race to itself, even with many messages consumed at once. Guards the intake's batches (RecordingIntake: one
/// batch recorded at a time, each project's events applied in order in one commit; without it, concurrent events of one
/// project conflict on the store's version check and are re-applied).
/// </summary>
public sealed class Per_project_ordering(WorkerFixture fixture) : IClassFixture<WorkerFixture>
{
    [Fact]
    public async Task One_replica_never_races_itself_on_a_project()
    {
        var (worker, client) = await fixture.Start();
        var events = Events.Stream(150, ["beijing-new-guomao", "lize-international-finance-city"]);

        foreach (var chunk in events.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(e => client.PublishJson(Queues.InputExchange, e, e.EventId.ToString())));
        }

        await Poll.Until(() => worker.Store.CountEvents(events.Select(e => e.EventId)) == events.Count, TimeSpan.FromSeconds(30),
            () => $"{worker.Store.CountEvents(events.Select(e => e.EventId))} of {events.Count} recorded");
        Assert.Equal(0, fixture.FlakyStore!.VersionConflicts("beijing-new-guomao"));
        Assert.Equal(0, fixture.FlakyStore.VersionConflicts("lize-international-finance-city"));
    }
}
