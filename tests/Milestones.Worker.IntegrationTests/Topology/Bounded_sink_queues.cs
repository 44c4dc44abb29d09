using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Milestones.Worker.IntegrationTests.Infrastructure;
using Milestones.Worker.IntegrationTests.Permissions;

namespace Milestones.Worker.IntegrationTests.Topology;

/// <summary>
/// The sink queues are bounded by the policies deploy/rabbitmq/broker-permissions.sh sets (here with a bound of 3
/// messages), with <c>overflow: reject-publish</c>: a full error queue makes the broker refuse (nack) the worker's move
/// of a refused event, so the message is not acknowledged but handed back and, redelivered, handled again through the
/// quarantine into its own error queue; the refused move is counted in <c>milestones.sink.refused</c>. Nothing is
/// dropped: every message is found, once, as the sink queues are emptied.
/// </summary>
public sealed class Bounded_sink_queues(WorkerFixture fixture, ITestOutputHelper output) : IClassFixture<WorkerFixture>
{
    const int Bound = 3;
    const string Refused = "milestones.sink.refused";
    const string QuarantineError = "milestones-worker_quarantine_error";

    [Fact]
    public async Task A_full_error_queue_refuses_the_move_and_the_message_is_kept_not_dropped()
    {
        BrokerEnvironment.RequireControl();
        await ApplyThePolicies(fixture.VirtualHost.VHost);
        var (worker, client) = await fixture.Start();
        using var metrics = new MetricRecorder(worker.Services, Refused);
        var refused = Enumerable.Range(0, Bound + 3).Select(_ => Events.Valid(projectId: "no-such-project")).ToList();

        // One at a time: a quorum queue applies its bound as messages arrive, so a burst may overshoot it a little.
        foreach (var message in refused)
        {
            await client.PublishJson(Queues.InputExchange, message, message.EventId.ToString());
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }
        await Poll.Until(() => metrics.Sum(Refused, ("queue", Queues.Error)) > 0, TimeSpan.FromSeconds(30), () => "no refused move was counted");

        // The policy is on the queue, and holds it: a quorum queue takes the publish that crosses its bound and refuses
        // the ones after it. The broker's queue counts lag the queue by up to its statistics interval (5 s), so they
        // are read until the moves show.
        var queues = "";
        var held = 0;
        await Poll.Until(async () =>
        {
            queues = await TestVirtualHost.Ctl("-q", "list_queues", "-p", fixture.VirtualHost.VHost, "--no-table-headers", "name", "policy", "messages");
            var error = Regex.Match(queues, $@"^{Queues.Error}\tmilestones-sink-queues\t(\d+)$", RegexOptions.Multiline);
            held = error.Success ? int.Parse(error.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
            return held >= Bound;
        }, TimeSpan.FromSeconds(30), () => $"the error queue, under its policy, did not fill up to its bound:\n{queues}");
        output.WriteLine(queues);
        Assert.InRange(held, Bound, Bound + 1);

        // Every message is somewhere: taking them out of the sink queues makes room for any still waiting.
        var ids = refused.Select(m => m.EventId.ToString()).ToHashSet();
        List<string> seen = [];
        await Poll.Until(async () =>
        {
            seen = [.. (await client.Drain(Queues.Error)).Concat(await client.Drain(QuarantineError)).Concat(await client.Drain(Queues.DeadLetter))
                .Select(m => m.Properties.MessageId ?? "").Where(ids.Contains)];
            return seen.Count >= ids.Count;
        }, TimeSpan.FromSeconds(60), () => $"{seen.Distinct().Count()} of {ids.Count} refused messages found in the sink queues");
        output.WriteLine(string.Join(", ", new[] { Queues.Error, QuarantineError, Queues.DeadLetter }.Select(q => $"{q}: {client.Seen(q).Count(m => ids.Contains(m.Properties.MessageId ?? ""))}")));
        Assert.Equal(ids.Order(), seen.Order());
    }

    [Fact]
    public async Task A_full_feed_queue_refuses_the_feed_entries_which_wait_in_the_outbox_while_completions_go_out()
    {
        BrokerEnvironment.RequireControl();
        await ApplyThePolicies(fixture.VirtualHost.VHost);
        var (worker, client) = await fixture.Start();
        using var metrics = new MetricRecorder(worker.Services, "milestones.outbox.refused", "milestones.recorded.published", "milestones.completions.published");
        await client.Subscribe(Queues.CompletedExchange, "it-feed-full-completions");
        // Reports that complete nothing: construction started on projects that need more than that.
        var reports = Events.Catalog.Projects
            .Where(p => p.Id != "subway-16-south" && p.Plan.Milestones.Contains("construction-started") && !p.Plan.Required.SequenceEqual(["construction-started"]))
            .Take(Bound + 4)
            .Select(p => Events.Valid(p.Id, "construction-started") with
            {
                OccurredAt = new DateTimeOffset(2023, 3, 1, 9, 0, 0, TimeSpan.FromHours(8)),
                ReportedAt = new DateTimeOffset(2023, 3, 1, 12, 0, 0, TimeSpan.FromHours(8)),
            })
            .ToList();
        Assert.Equal(Bound + 4, reports.Count);

        // One at a time, as above: the feed's queue (bound 3 here) takes the first ones and refuses the rest.
        foreach (var report in reports)
        {
            await client.PublishJson(Queues.InputExchange, report, report.EventId.ToString());
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }
        var listing = "";
        await Poll.Until(async () =>
        {
            listing = await TestVirtualHost.Ctl("-q", "list_queues", "-p", fixture.VirtualHost.VHost, "--no-table-headers", "name", "policy", "messages");
            return metrics.Sum("milestones.outbox.refused") > 0;
        }, TimeSpan.FromSeconds(30), () =>
            $"no feed entry was refused; {reports.Count(r => worker.Store.HasEvent(r.EventId))} of {reports.Count} recorded, " +
            $"{worker.Store.PendingOutbox()} pending; queues:\n{listing}\nwarnings:\n" +
            string.Join('\n', worker.Logs.Entries.Where(l => l.Level >= LogLevel.Warning && l.Category.Contains("Outbox", StringComparison.Ordinal)).TakeLast(5)
                .Select(l => $"{l.Category}: {l.Message} {l.Exception}")));
        Assert.All(reports, r => Assert.True(worker.Store.HasEvent(r.EventId)));
        Assert.True(worker.Store.PendingOutbox() > 0, "the refused feed entries are not pending in the outbox");
        Assert.Contains(worker.Logs.Entries, l => l.Level == LogLevel.Warning && l.Message.StartsWith("The broker refused the message", StringComparison.Ordinal));

        // A completion is not held back by the full feed: it goes out while the feed entries wait.
        var opened = Events.Valid("subway-16-south", "opened");
        await client.PublishJson(Queues.InputExchange, opened, opened.EventId.ToString());
        await client.WaitFor("it-feed-full-completions", m => m.Text.Contains("subway-16-south", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal(1, metrics.Sum("milestones.completions.published"));

        // A reader empties the feed: the waiting entries are published on later passes, each once, none lost.
        var expected = reports.Append(opened).Select(r => r.EventId).ToHashSet();
        var fed = new HashSet<Guid>();
        await Poll.Until(async () =>
        {
            foreach (var message in await client.Drain(Queues.Feed))
            {
                fed.Add(message.JsonBody.GetProperty("message").GetProperty("eventId").GetGuid());
            }
            return fed.IsSupersetOf(expected) && worker.Store.PendingOutbox() == 0;
        }, TimeSpan.FromSeconds(60), () => $"{fed.Intersect(expected).Count()} of {expected.Count} feed entries read, {worker.Store.PendingOutbox()} pending");
        Assert.Equal(expected.Count, fed.Intersect(expected).Count());
    }

    /// <summary>The queue policies exactly as the script makes them, with a tiny bound, set on this test's virtual host.</summary>
    static async Task ApplyThePolicies(string vhost)
    {
        var result = await ScriptedBroker.RunScript(
            ["--definitions", "--vhost", vhost, "--publishers", "lize-pmo", "--sink-max-length", Bound.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["milestones-worker"] = "x", ["lize-pmo"] = "y" });
        Assert.True(result.ExitCode == 0, result.ToString());
        using var definitions = JsonDocument.Parse(result.Output);
        var policies = definitions.RootElement.GetProperty("policies").EnumerateArray().ToList();
        Assert.Equal(4, policies.Count);
        foreach (var policy in policies)
        {
            Assert.Equal(vhost, policy.GetProperty("vhost").GetString());
            await TestVirtualHost.Ctl("set_policy", "-p", vhost, "--apply-to", policy.GetProperty("apply-to").GetString()!,
                "--priority", policy.GetProperty("priority").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
                policy.GetProperty("name").GetString()!, policy.GetProperty("pattern").GetString()!, policy.GetProperty("definition").GetRawText());
        }
    }
}
