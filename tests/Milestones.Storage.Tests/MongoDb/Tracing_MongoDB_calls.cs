using System.Diagnostics;
using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB;
using Milestones.Storage.Tests.TestData;
using MongoDB.Driver;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>The driver's own spans, as the worker's tracer would receive them, with MongoDB unreachable.</summary>
public sealed class Tracing_MongoDB_calls
{
    [Fact]
    public async Task Store_operations_emit_driver_spans_on_the_named_source()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MongoDbClientSettings.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var client = new MongoClient(MongoDbClientSettings.Create(new MongoDbOptions { ConnectionString = FreePort.ClosedMongoDb("u", "p") }));
        var store = new MongoMilestoneStore(client.GetDatabase("milestones"), TimeProvider.System);

        // The listener hears every MongoClient in the test process (hosts in other tests sample the outbox backlog):
        // this test's spans are the ones in its own trace.
        using var test = new Activity(nameof(Store_operations_emit_driver_spans_on_the_named_source)).Start();
        await Assert.ThrowsAnyAsync<Exception>(() => store.LoadProject(TestCatalog.Hub, TestContext.Current.CancellationToken));
        test.Stop();

        lock (spans)
        {
            var span = Assert.Single(spans, s => s.TraceId == test.TraceId && s.Tags.Any(t => t.Key == "db.collection.name" && t.Value == "projects"));
            Assert.Equal(ActivityStatusCode.Error, span.Status);
        }
    }
}
