using System.Text.Json;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.Permissions;

/// <summary>deploy/rabbitmq/broker-permissions.sh itself: its publishers follow the catalog, and running it again changes nothing but passwords.</summary>
public sealed class The_permissions_script
{
    static string CatalogPath => Path.Combine(Paths.RepositoryRoot, "services", "Milestones.Worker", "catalog", "fengtai-2023.json");

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
            Assert.Equal("^milestones\\.(milestone-reached|milestone-retracted)$", permissions[source].GetProperty("write").GetString());
        });
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
