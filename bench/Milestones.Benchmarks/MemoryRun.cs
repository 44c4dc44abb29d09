using System.Diagnostics;
using Milestones.Benchmarks.Worker;
using Milestones.Domain.Catalog;
using RabbitMQ.Client;

namespace Milestones.Benchmarks;

/// <summary>
/// Whether the worker's memory grows with what it has recorded: one worker is fed a million events (the backlog kept
/// under 50 000, so the broker's memory stays out of it) and its RSS at 100 000 events is compared with its RSS at
/// 1 000 000.
/// </summary>
public static class MemoryRun
{
    const string Queue = "bench.memory";
    const int MaxBacklog = 50_000;

    public static async Task Run(BenchmarkOptions options, Broker broker, IConnection admin, ProjectCatalog catalog, int prefetch, string scratch, Report report, Log log)
    {
        var total = options.MillionCount;
        var early = total / 10;
        for (var rep = 1; rep <= options.Reps; rep++)
        {
            await using var harness = new WorkerHarness(broker, admin, scratch, Queue, prefetch, options);
            await Broker.Delete(admin, harness.Entities);
            try
            {
                await harness.Start();
                var clock = new DrainClock(total);
                var watch = harness.Watch(clock.Completion, clock.Observe);
                var workload = new Workload(catalog, rep);
                var started = Stopwatch.GetTimestamp();
                await using (var publisher = await Publisher.Create(admin))
                {
                    var published = 0;
                    while (published < total)
                    {
                        if (watch.IsFaulted)
                        {
                            await watch;
                        }
                        if (published - clock.Count < MaxBacklog)
                        {
                            var batch = Math.Min(5_000, total - published);
                            await publisher.Fill(Queue, batch, workload.Next);
                            published += batch;
                        }
                        else
                        {
                            await Task.Delay(50);
                        }
                    }
                }
                await Task.WhenAny(clock.Wait(Scenarios.DrainRunner.Stall, harness.Diagnose), watch).Unwrap();
                await clock.Completion;
                await watch;
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

                var samples = harness.Memory;
                // A short run (smoke mode) can cross the window between two samples: then the first sample past it counts.
                var at100K = Median(samples.Where(s => s.Events >= early * 0.9 && s.Events <= early * 1.1));
                if (double.IsNaN(at100K))
                {
                    at100K = Median(samples.Where(s => s.Events >= early).Take(1));
                }
                var atEnd = Median(samples.Where(s => s.Events >= total * 0.95));
                var peak = harness.Process.PeakRss() / 1048576.0;
                report.RssAt100K.Add(at100K);
                report.RssAtMillion.Add(atEnd);
                report.PeakRssMillion.Add(peak);
                report.MillionRate.Add(total / seconds);
                log.Line($"memory rep {rep}: RSS {at100K:0} MiB at {early:N0}, {atEnd:0} MiB at {total:N0}, peak {peak:0} MiB; {total / seconds:N0} msg/s");
            }
            finally
            {
                await harness.DisposeAsync();
                await Broker.Delete(admin, harness.Entities);
            }
        }
    }

    static double Median(IEnumerable<(long Events, long Rss)> samples)
    {
        var values = samples.Where(s => s.Rss > 0).Select(s => s.Rss / 1048576.0).ToList();
        return values.Count == 0 ? double.NaN : Figure.Percentile(values, 0.5);
    }
}
