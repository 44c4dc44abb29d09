using System.Text.Json;

namespace Milestones.Worker.IntegrationTests.Permissions;

/// <summary>deploy/rabbitmq/broker-permissions.sh itself: its publishers follow the catalog, and running it again changes nothing but passwords.</summary>
public sealed class The_permissions_script
{
    static string CatalogPath => Path.Combine(Paths.Repository, "services", "Milestones.Worker", "catalog", "fengtai-2023.json");

    static List<string> CatalogSources()
    {
        using var catalog = JsonDocument.Parse(File.ReadAllText(CatalogPath));
        return catalog.RootElement.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
    }

    [Fact]
    public async Task Creates_one_write_only_publisher_per_catalog_source()
    {
        var sources = CatalogSources();
        var passwords = sources.Append("milestones-worker").ToDictionary(u => u, u => $"pw-{u}");

        var result = await ScriptedBroker.RunScript(["--definitions"], passwords);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var definitions = JsonDocument.Parse(result.Output);
        var users = definitions.RootElement.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToList();
        Assert.Equal(["milestones-worker", .. sources], users);
        Assert.DoesNotContain("pw-", result.Output, StringComparison.Ordinal);
        var permissions = definitions.RootElement.GetProperty("permissions").EnumerateArray().ToDictionary(p => p.GetProperty("user").GetString()!);
        Assert.All(sources, source =>
        {
            Assert.Equal("milestones", permissions[source].GetProperty("vhost").GetString());
            Assert.Equal("^$", permissions[source].GetProperty("configure").GetString());
            Assert.Equal("^$", permissions[source].GetProperty("read").GetString());
            Assert.Equal("^milestones\\.(milestone-reached|milestone-retracted|progress-reported|project-registered)$", permissions[source].GetProperty("write").GetString());
        });
    }

    [Fact]
    public async Task Gives_the_worker_the_new_inputs_and_outputs_and_the_subscribers_the_bounded_feed_queue()
    {
        var passwords = new Dictionary<string, string> { ["milestones-worker"] = "w", ["lize-pmo"] = "p", ["dashboard"] = "s", ["milestones-ops"] = "o" };

        var result = await ScriptedBroker.RunScript(["--definitions", "--publishers", "lize-pmo", "--subscribers", "dashboard", "--ops-user", "milestones-ops"], passwords);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var definitions = JsonDocument.Parse(result.Output);
        var permissions = definitions.RootElement.GetProperty("permissions").EnumerateArray().ToDictionary(p => p.GetProperty("user").GetString()!);
        bool Allows(string user, string kind, string name) =>
            System.Text.RegularExpressions.Regex.IsMatch(name, permissions[user].GetProperty(kind).GetString()!);
        // The worker consumes the new input queues (and moves refusals to their sink queues)...
        foreach (var queue in new[] { "milestones-worker-progress", "milestones-worker-registrations", "milestones-worker-progress_error", "milestones-worker-registrations_skipped" })
        {
            Assert.True(Allows("milestones-worker", "configure", queue) && Allows("milestones-worker", "read", queue) && Allows("milestones-worker", "write", queue), queue);
        }
        // ...bound to the new input exchanges, which it reads but never writes...
        foreach (var exchange in new[] { "milestones.progress-reported", "milestones.project-registered" })
        {
            Assert.True(Allows("milestones-worker", "read", exchange), exchange);
            Assert.False(Allows("milestones-worker", "write", exchange), exchange);
            Assert.True(Allows("lize-pmo", "write", exchange), exchange);
        }
        // ...writes the new output exchanges, which publishers may not...
        foreach (var exchange in new[] { "milestones.target-met", "milestones.milestone-overdue", "milestones.milestone-recorded" })
        {
            Assert.True(Allows("milestones-worker", "configure", exchange) && Allows("milestones-worker", "write", exchange), exchange);
            Assert.False(Allows("lize-pmo", "write", exchange), exchange);
            Assert.True(Allows("dashboard", "read", exchange), exchange);
        }
        // ...and declares the feed's queue and binds it to the feed's exchange; subscribers consume it, publishers cannot.
        const string feed = "milestones.milestone-recorded.feed";
        Assert.True(Allows("milestones-worker", "configure", feed) && Allows("milestones-worker", "write", feed));
        Assert.True(Allows("milestones-worker", "read", "milestones.milestone-recorded"));
        Assert.True(Allows("dashboard", "read", feed));
        Assert.False(Allows("dashboard", "configure", feed) || Allows("dashboard", "write", feed));
        Assert.False(Allows("lize-pmo", "read", feed));
        // The ops user reads the new sink queues.
        Assert.True(Allows("milestones-ops", "read", "milestones-worker-progress_error"));
        Assert.True(Allows("milestones-ops", "read", "milestones-worker-registrations_error"));
        Assert.False(Allows("milestones-ops", "read", "milestones-worker-progress"));

        var policies = definitions.RootElement.GetProperty("policies").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        var feedPolicy = policies["milestones-feed-queue"];
        Assert.Matches(feedPolicy.GetProperty("pattern").GetString()!, feed);
        Assert.DoesNotMatch(feedPolicy.GetProperty("pattern").GetString()!, "milestones.milestone-recorded");
        Assert.Equal("reject-publish", feedPolicy.GetProperty("definition").GetProperty("overflow").GetString());
        Assert.Equal(100000, feedPolicy.GetProperty("definition").GetProperty("max-length").GetInt32());
        Assert.Matches(policies["milestones-sink-queues"].GetProperty("pattern").GetString()!, "milestones-worker-progress_error");
        Assert.Matches(policies["milestones-input-queues"].GetProperty("pattern").GetString()!, "milestones-worker-registrations");
    }

    [Fact]
    public async Task Without_a_feed_queue_grants_and_bounds_none()
    {
        var passwords = new Dictionary<string, string> { ["milestones-worker"] = "w", ["lize-pmo"] = "p", ["dashboard"] = "s" };

        var result = await ScriptedBroker.RunScript(["--definitions", "--publishers", "lize-pmo", "--subscribers", "dashboard", "--feed-queue", ""], passwords);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var definitions = JsonDocument.Parse(result.Output);
        Assert.DoesNotContain(definitions.RootElement.GetProperty("policies").EnumerateArray(), p => p.GetProperty("name").GetString() == "milestones-feed-queue");
        Assert.DoesNotContain("milestone-recorded\\\\.feed", result.Output, StringComparison.Ordinal);
        var worker = definitions.RootElement.GetProperty("permissions").EnumerateArray().Single(p => p.GetProperty("user").GetString() == "milestones-worker");
        Assert.DoesNotMatch(worker.GetProperty("configure").GetString()!, "milestones.milestone-recorded.feed");
    }

    [Fact]
    public async Task Stops_when_a_user_has_no_password()
    {
        var result = await ScriptedBroker.RunScript(["--definitions", "--publishers", "lize-pmo"], new Dictionary<string, string> { ["milestones-worker"] = "x" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no password for user 'lize-pmo'", result.Error, StringComparison.Ordinal);
        Assert.Contains("MILESTONES_BROKER_PASSWORD_LIZE_PMO", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_twice_gives_the_same_permissions_and_applies_a_changed_password()
    {
        BrokerEnvironment.RequireControl();
        var id = Guid.NewGuid().ToString("N")[..8];
        var vhost = $"it-script-{id}";
        string worker = $"milestones-worker-{id}", publisher = $"lize-pmo-{id}", subscriber = $"dashboard-{id}";
        var passwords = new Dictionary<string, string> { [worker] = "w-1", [publisher] = "p-1", [subscriber] = "s-1" };
        string[] arguments = ["--vhost", vhost, "--worker-user", worker, "--publishers", publisher, "--subscribers", subscriber];
        try
        {
            var first = await ScriptedBroker.RunScript(arguments, passwords);
            Assert.True(first.ExitCode == 0, first.ToString());
            var permissions = await TestVirtualHost.Ctl("-q", "list_permissions", "-p", vhost);
            var users = Mine(await TestVirtualHost.Ctl("-q", "list_users"), id);

            passwords[publisher] = "p-2";
            var second = await ScriptedBroker.RunScript(arguments, passwords);

            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Equal(Sorted(permissions), Sorted(await TestVirtualHost.Ctl("-q", "list_permissions", "-p", vhost)));
            Assert.Equal(Sorted(users), Sorted(Mine(await TestVirtualHost.Ctl("-q", "list_users"), id)));
            await TestVirtualHost.Ctl("authenticate_user", publisher, "p-2");
            await Assert.ThrowsAsync<InvalidOperationException>(() => TestVirtualHost.Ctl("authenticate_user", publisher, "p-1"));
            await TestVirtualHost.Ctl("authenticate_user", worker, "w-1");
            Assert.Contains($"{worker}\t[impersonator]", users, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var user in passwords.Keys)
            {
                await Ignore(TestVirtualHost.Ctl("delete_user", user));
            }
            await Ignore(TestVirtualHost.Ctl("delete_vhost", vhost));
        }
    }

    /// <summary>The lines of this test's users: users are broker-wide, and other tests create theirs meanwhile.</summary>
    static string Mine(string listing, string id) => string.Join('\n', listing.Split('\n').Where(line => line.Contains(id, StringComparison.Ordinal)));

    /// <summary>Lines in order, for listings whose order the broker does not promise.</summary>
    static string Sorted(string listing) => string.Join('\n', listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

    static async Task Ignore(Task task)
    {
        try
        {
            await task;
        }
        catch (InvalidOperationException)
        {
            // Cleanup of something a failed step never created.
        }
    }
}
