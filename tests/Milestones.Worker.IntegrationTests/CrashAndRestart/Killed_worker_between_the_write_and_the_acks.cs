using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.CrashAndRestart;

/// <summary>
/// The worker dies right after a batch of events became durable and before their messages were acknowledged (the
/// test-only Testing:CrashAfterRecordingNote switch calls Environment.FailFast there). The broker hands the whole batch
/// back; the restarted worker finds its events recorded and acknowledges them as duplicates: every event is applied once,
/// every project completes once, with one ProjectCompleted message id each. Guards the batch being durable before any of
/// its messages is acknowledged and the unique event id across batches.
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Killed_worker_between_the_write_and_the_acks(TestVirtualHost vhost) : ProcessScenario(vhost), IClassFixture<TestVirtualHost>
{
    const string Crash = "the worker dies once this event's batch is written";

    [Fact]
    public async Task The_redelivered_batch_is_recorded_once()
    {
        await Connect();
        var events = Events.Stream(3_000).ToList();
        var crashing = events[1_500] = events[1_500] with { Note = Crash };
        var first = StartWorker("worker (dies after a write)", new Dictionary<string, string>
        {
            // The switch is refused in Production; everything else is the production configuration.
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["DOTNET_ENVIRONMENT"] = "Testing",
            ["Testing__CrashAfterRecordingNote"] = Crash,
        });
        await first.WaitUntilReady();

        await Publish(events);
        await Poll.Until(() => first.HasExited, TimeSpan.FromSeconds(60), () => "the worker did not crash after the batch with the marked event");
        Mark($"crashed with {Store.CountEvents()} of {events.Count} events recorded");

        // Written before the crash, never acknowledged: the broker still holds its message.
        Assert.True(Store.HasEvent(crashing.EventId), "the marked event's batch was not durable before the crash");
        Assert.InRange(Store.CountEvents(), 1, events.Count - 1);

        var second = StartWorker("worker (restarted)");
        await second.WaitUntilReady();
        await AssertEverythingAppliedOnce(events, TimeSpan.FromSeconds(90));
    }
}
