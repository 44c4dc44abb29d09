using System.Text.Json.Nodes;
using Milestones.Contracts;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.Operations;

/// <summary>
/// <c>errors list</c> and <c>errors redrive</c> against the real broker: the worker (in process, Production, on its own
/// virtual host) sets refused messages aside, and the commands read and move them as an operator would.
/// </summary>
public sealed class The_errors_commands
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The shipped catalog with <paramref name="code"/> taken out of <paramref name="project"/>'s plan: a catalog to fix later.</summary>
    static string CatalogWithout(string project, string code, TempDirectory directory)
    {
        var catalog = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.WorkerDirectory, "catalog", "fengtai-2023.json")))!;
        var plan = catalog["projects"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == project)!["plan"]!;
        var milestones = plan["milestones"]!.AsArray();
        milestones.Remove(milestones.Single(m => m!.GetValue<string>() == code));
        var path = directory.File("catalog-without-" + code + ".json");
        File.WriteAllText(path, catalog.ToJsonString());
        return path;
    }

    /// <summary>
    /// Publishes refused events one at a time, each once the previous one is in <paramref name="queue"/>: the worker
    /// consumes many messages at once, so only this makes the queue's order the publish order, known without reading it.
    /// </summary>
    static async Task SetAside(TestVirtualHost vhost, string exchange, string queue, IEnumerable<object> messages)
    {
        await using var client = await RabbitClient.Connect(vhost);
        var expected = (await vhost.AllQueueCounts()).TryGetValue(queue, out var counts) ? counts.Ready : 0;
        foreach (var message in messages)
        {
            await client.PublishJson(exchange, message);
            expected++;
            await Poll.Until(async () => (await vhost.AllQueueCounts()).TryGetValue(queue, out var now) && now.Ready == expected,
                TimeSpan.FromSeconds(30), () => $"a refused message never reached {queue}");
        }
    }

    static IEnumerable<KeyValuePair<string, string?>> Cli(TestVirtualHost vhost, TempDirectory directory) =>
        vhost.TransportSettings().Concat(OpsCli.StoreSettings(directory.File("cli.db")));

    [Fact]
    public async Task Lists_a_refused_message_with_its_reason_and_after_the_catalog_is_fixed_a_redrive_applies_it_once()
    {
        BrokerEnvironment.Require();
        await using var vhost = new TestVirtualHost();
        await vhost.InitializeAsync();
        using var directory = Paths.NewTempDirectory();
        var toppedOut = Events.Valid("lize-city-terminal", "topped-out");
        var other = Events.Valid("no-such-project");
        await using (var broken = await InProcessWorker.Start(vhost, settings: [new("Catalog:Path", CatalogWithout("lize-city-terminal", "topped-out", directory))]))
        {
            await SetAside(vhost, WireNames.MilestoneReachedExchange, Queues.Error, [toppedOut, other]);
            Assert.False(broken.Store.HasEvent(toppedOut.EventId));
        }

        var listed = await OpsCli.Run(Cli(vhost, directory), "errors", "list", "--json");

        Assert.Equal(0, listed.ExitCode);
        var messages = listed.Messages(Queues.Error);
        Assert.Equal([toppedOut.EventId, other.EventId], messages.Select(m => m.GetProperty("eventId").GetGuid()));
        Assert.Equal(["milestone-not-in-plan", "unknown-project"], messages.Select(m => m.GetProperty("reason").GetString()));
        Assert.Equal("lize-city-terminal", messages[0].GetProperty("projectId").GetString());
        Assert.Equal(Events.Source, messages[0].GetProperty("publisher").GetString());
        Assert.Equal(1, messages[0].GetProperty("attempts").GetInt32());
        var table = await OpsCli.Run(Cli(vhost, directory), "errors", "list");
        Assert.Contains(toppedOut.EventId.ToString(), table.Output, StringComparison.Ordinal);
        Assert.Contains("milestone-not-in-plan", table.Output, StringComparison.Ordinal);

        // The catalog fixed: the worker runs on the shipped one, where 丽泽城市航站楼's plan has topped-out.
        await using var worker = await InProcessWorker.Start(vhost);
        var redriven = await OpsCli.Run(Cli(vhost, directory), "errors", "redrive", "--reason", "milestone-not-in-plan", "--json");

        Assert.Equal(0, redriven.ExitCode);
        Assert.True(redriven.Messages(Queues.Error).Single(m => m.GetProperty("eventId").GetGuid() == toppedOut.EventId).GetProperty("redrive").GetBoolean());
        await Poll.Until(() => Task.FromResult(worker.Store.HasEvent(toppedOut.EventId)), TimeSpan.FromSeconds(30), () => "the redriven event was never applied");
        // Once: a second redrive of the same reason finds nothing, and the other message stayed where it was.
        var again = await OpsCli.Run(Cli(vhost, directory), "errors", "redrive", "--reason", "milestone-not-in-plan", "--json");
        var left = again.Messages(Queues.Error);
        Assert.Equal([other.EventId], left.Select(m => m.GetProperty("eventId").GetGuid()));
        Assert.False(left[0].GetProperty("redrive").GetBoolean());
        await Task.Delay(TimeSpan.FromSeconds(1), Cancel);
        Assert.Equal(1, worker.Store.CountEvents([toppedOut.EventId]));
        Assert.Equal(1, worker.Store.CountEvents());
        // rabbitmqctl's counts of a quorum queue trail by a few seconds.
        await Poll.Until(async () => await vhost.QueueCounts(Queues.Input) == (0, 0) && await vhost.QueueCounts(Queues.Error) == (1, 0),
            TimeSpan.FromSeconds(30), () => "the input queue never drained, or the error queue kept more than the other message");
    }

    [Fact]
    public async Task Listing_more_times_than_the_delivery_limit_loses_and_reorders_nothing()
    {
        BrokerEnvironment.Require();
        await using var vhost = new TestVirtualHost();
        await vhost.InitializeAsync();
        using var directory = Paths.NewTempDirectory();
        var refused = Enumerable.Range(0, 12).Select(_ => Events.Valid("no-such-project")).ToList();
        var retraction = new MilestoneRetracted
        {
            EventId = Guid.NewGuid(), ProjectId = "no-such-project", RetractedEventId = Guid.NewGuid(), Reason = "wrong project", RetractedAt = DateTimeOffset.UtcNow.AddDays(-1),
        };
        await using (var worker = await InProcessWorker.Start(vhost))
        {
            await SetAside(vhost, WireNames.MilestoneReachedExchange, Queues.Error, refused);
            await SetAside(vhost, WireNames.MilestoneRetractedExchange, Queues.RetractionsError, [retraction]);
        }
        // The sink queues carry their input queue's delivery limit (20 for the input, 5 for retractions): a listing that
        // handed messages back would dead-letter the retraction after 5 listings and the others after 20.
        var arguments = await TestVirtualHost.Ctl("-q", "list_queues", "-p", vhost.VHost, "--no-table-headers", "name", "arguments");
        Assert.Contains("x-delivery-limit", arguments.Split('\n').Single(l => l.StartsWith(Queues.RetractionsError + "\t", StringComparison.Ordinal)), StringComparison.Ordinal);

        for (var i = 0; i < 22; i++)
        {
            var listed = await OpsCli.Run(Cli(vhost, directory), "errors", "list", "--json");
            Assert.Equal(0, listed.ExitCode);
            Assert.Equal(refused.Select(e => e.EventId), listed.Messages(Queues.Error).Select(m => m.GetProperty("eventId").GetGuid()));
            Assert.Equal([retraction.EventId], listed.Messages(Queues.RetractionsError).Select(m => m.GetProperty("eventId").GetGuid()));
            Assert.All(listed.Messages(Queues.Error), m => Assert.Equal(1, m.GetProperty("attempts").GetInt32()));
        }

        // The broker's own counts agree (rabbitmqctl's counts of a quorum queue trail by a few seconds).
        await Poll.Until(async () => await vhost.QueueCounts(Queues.Error) == (refused.Count, 0) && await vhost.QueueCounts(Queues.RetractionsError) == (1, 0)
            && await vhost.QueueCounts(Queues.DeadLetter) == (0, 0), TimeSpan.FromSeconds(30), () => "the broker counts other messages than the listings showed");
    }

    [Fact]
    public async Task A_dry_run_moves_nothing_and_a_selection_moves_only_what_it_selects()
    {
        BrokerEnvironment.Require();
        await using var vhost = new TestVirtualHost();
        await vhost.InitializeAsync();
        using var directory = Paths.NewTempDirectory();
        var refused = Enumerable.Range(0, 5).Select(i => Events.Valid(i % 2 == 0 ? "no-such-project" : "other-missing-project")).ToList();
        await using var worker = await InProcessWorker.Start(vhost);
        await SetAside(vhost, WireNames.MilestoneReachedExchange, Queues.Error, refused);

        var dry = await OpsCli.Run(Cli(vhost, directory), "errors", "redrive", "--project", "other-missing-project", "--dry-run", "--json");

        Assert.Equal(0, dry.ExitCode);
        Assert.True(dry.Json.GetProperty("dryRun").GetBoolean());
        Assert.Equal([false, true, false, true, false], dry.Messages(Queues.Error).Select(m => m.GetProperty("redrive").GetBoolean()));
        Assert.Equal(refused.Select(e => e.EventId), (await OpsCli.Run(Cli(vhost, directory), "errors", "list", "--json")).Messages(Queues.Error).Select(m => m.GetProperty("eventId").GetGuid()));
        Assert.Equal(0, (await vhost.QueueCounts(Queues.Input)).Ready);

        var redrive = await OpsCli.Run(Cli(vhost, directory), "errors", "redrive", "--event-id", refused[2].EventId.ToString(), "--queue", Queues.Error, "--json");

        Assert.Equal(0, redrive.ExitCode);
        Assert.Equal([refused[2].EventId], redrive.Messages(Queues.Error).Where(m => m.GetProperty("redrive").GetBoolean()).Select(m => m.GetProperty("eventId").GetGuid()));
        // Still refused (no such project): it comes back to the error queue, behind the others, which kept their order.
        await Poll.Until(async () => (await vhost.QueueCounts(Queues.Error)).Ready == refused.Count, TimeSpan.FromSeconds(30), () => "the redriven message never came back");
        var after = await OpsCli.Run(Cli(vhost, directory), "errors", "list", "--json");
        Assert.Equal(new[] { 0, 1, 3, 4, 2 }.Select(i => refused[i].EventId), after.Messages(Queues.Error).Select(m => m.GetProperty("eventId").GetGuid()));
        // A redrive that names nothing is refused rather than taken for "all".
        var none = await OpsCli.Run(Cli(vhost, directory), "errors", "redrive");
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains("--all", none.Error + none.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_impersonator_tag_it_fails_clearly_and_the_queue_keeps_every_message_in_order()
    {
        BrokerEnvironment.Require();
        await using var vhost = new TestVirtualHost();
        await vhost.InitializeAsync();
        using var directory = Paths.NewTempDirectory();
        var refused = Enumerable.Range(0, 3).Select(_ => Events.Valid("no-such-project")).ToList();
        await using (var worker = await InProcessWorker.Start(vhost))
        {
            await SetAside(vhost, WireNames.MilestoneReachedExchange, Queues.Error, refused);
        }
        // An ops user with every permission but without the tag.
        var user = $"ops-untagged-{Guid.NewGuid():N}"[..24];
        await TestVirtualHost.Ctl("add_user", user, "secret-" + user);
        try
        {
            await TestVirtualHost.Ctl("set_permissions", "-p", vhost.VHost, user, "^$", ".*", ".*");
            var settings = Cli(vhost, directory).Concat([new("Ops:BrokerUser", user), new("Ops:BrokerPass", "secret-" + user)]).ToList();

            var redrive = await OpsCli.Run(settings, "errors", "redrive", "--all");
            var list = await OpsCli.Run(settings, "errors", "list");

            Assert.Equal(1, redrive.ExitCode);
            Assert.Contains("impersonator", redrive.Error, StringComparison.Ordinal);
            Assert.Contains(user, redrive.Error, StringComparison.Ordinal);
            Assert.Equal(1, list.ExitCode);
            Assert.Contains("impersonator", list.Error, StringComparison.Ordinal);
            Assert.Equal(0, (await vhost.QueueCounts(Queues.Input)).Ready);
            var kept = await OpsCli.Run(Cli(vhost, directory), "errors", "list", "--json");
            Assert.Equal(refused.Select(e => e.EventId), kept.Messages(Queues.Error).Select(m => m.GetProperty("eventId").GetGuid()));
        }
        finally
        {
            await TestVirtualHost.Ctl("delete_user", user);
        }
    }
}
