using System.Diagnostics;
using Milestones.Benchmarks.Worker;
using Milestones.Domain.Catalog;
using RabbitMQ.Client;

namespace Milestones.Benchmarks;

/// <summary>
/// Whether an event costs more in a project with a long history: one project gets a history of repeated reports of its
/// milestones (distinct event ids), then the time per event of the next events of that same project is measured.
/// </summary>
public static class ScalingRun
{
    const string Queue = "bench.scaling";

    public static async Task Run(BenchmarkOptions options, Broker broker, IConnection admin, ProjectCatalog catalog, int prefetch, string scratch, Report report, Log log)
    {
        var project = catalog.Get("lize-city-terminal");
        for (var rep = 1; rep <= options.Reps; rep++)
        {
            foreach (var (history, figure) in new[] { (options.SmallHistory, report.PerEventSmall), (options.LargeHistory, report.PerEventLarge) })
            {
                var perEvent = await Once(options, broker, admin, catalog, project, history, prefetch, scratch, rep);
                figure.Add(perEvent);
                log.Line($"scaling rep {rep}: history {history,6:N0} → {perEvent:0.000} ms/event over {options.ScaleEvents:N0} events");
            }
        }
    }

    static async Task<double> Once(BenchmarkOptions options, Broker broker, IConnection admin, ProjectCatalog catalog, ProjectDefinition project, int history, int prefetch, string scratch, int rep)
    {
        await using var harness = new WorkerHarness(broker, admin, scratch, Queue, prefetch, options);
        await Broker.Delete(admin, harness.Entities);
        try
        {
            await harness.Start();
            var workload = new Workload(catalog, rep);
            var milestone = 0;
            OutgoingMessage Next() => workload.For(project, project.Plan.Milestones[milestone++ % project.Plan.Milestones.Count]);

            await using var publisher = await Publisher.Create(admin);
            await publisher.Fill(Queue, history, Next);
            await WaitFor(harness, history);

            var events = options.ScaleEvents;
            var clock = new DrainClock(events);
            var watch = harness.Watch(clock.Completion, seen => clock.Observe(seen - history));
            await publisher.Fill(Queue, events, Next);
            await Task.WhenAny(clock.Wait(Scenarios.DrainRunner.Stall, harness.Diagnose), watch).Unwrap();
            await clock.Completion;
            return 1000 / clock.Rate;
        }
        finally
        {
            await harness.DisposeAsync();
            await Broker.Delete(admin, harness.Entities);
        }
    }

    static async Task WaitFor(WorkerHarness harness, long count)
    {
        var last = -1L;
        var moved = Stopwatch.StartNew();
        while (harness.Probe.Count() is var now && now < count)
        {
            if (now != last)
            {
                last = now;
                moved.Restart();
            }
            else if (moved.Elapsed > Scenarios.DrainRunner.Stall)
            {
                throw new TimeoutException($"the history stalled at {now}/{count}: {harness.Diagnose()}");
            }
            await Task.Delay(20);
        }
    }
}
