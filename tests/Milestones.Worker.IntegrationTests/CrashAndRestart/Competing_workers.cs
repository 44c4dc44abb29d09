using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// Two worker processes consume the same queue and the same store, and race on the events of one project:
/// the project completes once, with one ProjectCompleted. Guards the store's version check with the recorder's
/// re-read and re-apply (without it one replica overwrites the other's milestones: lost updates, or two completions).
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Competing_workers(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    [Fact]
    public async Task Two_replicas_racing_on_one_project_complete_it_once()
    {
        await Connect();
        var one = StartWorker("replica 1");
        var two = StartWorker("replica 2");
        await Task.WhenAll(one.WaitUntilReady(), two.WaitUntilReady());
        Mark("both ready");

        var events = Events.Stream(100, ["lize-city-terminal"]);
        await Publish(events);

        await AssertEverythingAppliedOnce(events, TimeSpan.FromSeconds(90));
        Assert.Equal(5, Store.Projects()["lize-city-terminal"].Reached);
    }
}
