namespace Milestones.Benchmarks.Tests;

/// <summary>
/// The benchmark's smoke mode against the test command's broker: every scenario runs with tiny counts and reports its
/// figures. It checks that the benchmark works, never how fast anything is (no timed assertions).
/// </summary>
public sealed class Running_the_benchmark_in_smoke_mode
{
    [Fact]
    public async Task Every_scenario_runs_and_reports_its_figures()
    {
        if (Broker.FromEnvironment() is null)
        {
            Assert.SkipWhen(Environment.GetEnvironmentVariable("MILESTONES_REQUIRE_BROKER") != "1",
                "no broker: MILESTONES_TEST_RABBITMQ_HOST/PORT are not set (tests/run.sh sets them)");
            Assert.Fail("MILESTONES_REQUIRE_BROKER=1 but MILESTONES_TEST_RABBITMQ_HOST/PORT are not set");
        }
        var output = new StringWriter();

        var report = await Benchmark.Run(BenchmarkOptions.Parse(["--smoke", "--million"]), output);

        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        Assert.Empty(report.Failures);
        foreach (var type in new[] { QueueType.Quorum, QueueType.Classic })
        {
            foreach (var scenario in new[] { Report.Limit, Report.Framework, Report.Naive })
            {
                Assert.True(report.DrainOf(scenario, type).Values is [> 0], $"{scenario} on {type} has no drain rate");
            }
        }
        Assert.True(report.DrainOf(Report.Milestones, QueueType.Quorum).Values is [> 0], "the worker has no drain rate");
        // The feed's cost: the same worker with Feeds:MilestoneRecorded=false, in the same run, and the ratio reported.
        Assert.True(report.DrainOf(Report.MilestonesFeedOff, QueueType.Quorum).Values is [> 0], "the worker with its feed off has no drain rate");
        Assert.True(report.DrainOf(Report.MilestonesFeedOff, QueueType.Classic).IsEmpty, "the worker with its feed off was drained under the classic column");
        // The worker declares its own queue, always quorum: a classic column for it would be a quorum queue mislabelled.
        Assert.True(report.DrainOf(Report.Milestones, QueueType.Classic).IsEmpty, "the worker was drained under the classic column");
        Figure[] figures =
        [
            report.StoredP50, report.StoredP99, report.CompletedP50, report.CompletedP99, report.PeakRss, report.SteadyRss,
            report.RssAt100K, report.RssAtMillion, report.PerEventSmall, report.PerEventLarge,
        ];
        Assert.All(figures, figure => Assert.True(figure.Values is [> 0], $"a figure in {figure.Unit} is missing"));
        // What shares the machine during the latency run (the broker's only with the private broker's pid file).
        Assert.True(report.LatencyBenchmarkCpu.PerMessage.Values is [> 0], "the latency run has no CPU figure of its own");
        Assert.True(report.LatencyWorkerCpu.PerMessage.Values is [> 0], "the latency run has no CPU figure of the worker");
        var markdown = output.ToString();
        Assert.Contains("| **Milestones / framework** |", markdown, StringComparison.Ordinal);
        Assert.Contains("#### Targets (issue 10)", markdown, StringComparison.Ordinal);
        Assert.Contains($"| {Report.MilestonesFeedOffRow} | ", markdown, StringComparison.Ordinal);
        Assert.Matches($@"\| {System.Text.RegularExpressions.Regex.Escape(Report.FeedRatioRow)} \| [0-9.]+ ", markdown);
        Assert.Matches($@"\| {System.Text.RegularExpressions.Regex.Escape(Report.FeedCostTarget)} \| [0-9.]+ ", markdown);
        // The worker's outbox drained after each drain (a subscriber is bound): MilestonesScenario.Verify, a failure otherwise.

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Benchmark.MongoDbVariable)))
        {
            // No server: both MongoDB rows say why, in every column, and so does the ratio's target row.
            var skipped = $" | {Report.NoMongoDb} | {Report.NoMongoDb} |";
            Assert.Contains($"| {Report.NaiveMongoDbRow}{skipped}", markdown, StringComparison.Ordinal);
            Assert.Contains($"| {Report.MilestonesMongoDbRow}{skipped}", markdown, StringComparison.Ordinal);
            Assert.Contains($"| Milestones(MongoDB) / naive-MongoDB (quorum) | {Report.NoMongoDb} | reported |", markdown, StringComparison.Ordinal);
            Assert.True(report.DrainOf(Report.MilestonesMongoDb, QueueType.Quorum).IsEmpty && report.DrainOf(Report.NaiveMongoDb, QueueType.Quorum).IsEmpty);
        }
        else
        {
            Assert.True(report.DrainOf(Report.MilestonesMongoDb, QueueType.Quorum).Values is [> 0], "the worker on MongoDB has no drain rate");
            Assert.True(report.DrainOf(Report.MilestonesMongoDb, QueueType.Classic).IsEmpty, "the worker on MongoDB was drained under the classic column");
            foreach (var type in new[] { QueueType.Quorum, QueueType.Classic })
            {
                Assert.True(report.DrainOf(Report.NaiveMongoDb, type).Values is [> 0], $"naive-mongodb on {type} has no drain rate");
            }
        }
    }
}
