using System.Text.Json.Nodes;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class The_alert_rules(DeployToolchain toolchain)
{
    const string RulesFile = "deploy/prometheus/alerts.yaml";

    [Fact]
    public async Task Alert_on_a_stalled_outbox()
    {
        var alerts = await Alerts();

        var oldest = alerts["MilestonesOutboxOldestEntryTooOld"];
        Assert.Contains("milestones_outbox_oldest_age_seconds", oldest.Str("expr"), StringComparison.Ordinal);
        Assert.Equal("5m", oldest.Str("for"));
        var growing = alerts["MilestonesOutboxBacklogGrowing"];
        Assert.Contains("milestones_outbox_backlog", growing.Str("expr"), StringComparison.Ordinal);
        Assert.Equal("5m", growing.Str("for"));
    }

    [Fact]
    public async Task Alert_on_a_high_rejection_rate()
    {
        var alert = (await Alerts())["MilestonesHighRejectionRate"];
        var expr = alert.Str("expr")!;

        Assert.Contains("milestones_events_rejected_total", expr, StringComparison.Ordinal);
        Assert.Contains("milestones_events_consumed_total", expr, StringComparison.Ordinal);
        Assert.Contains("> 0.05", expr, StringComparison.Ordinal);
        Assert.Equal("10m", alert.Str("for"));
    }

    [Fact]
    public async Task Alert_when_the_consumer_stops_while_messages_wait()
    {
        var alert = (await Alerts())["MilestonesConsumerStopped"];
        var expr = alert.Str("expr")!;

        Assert.Contains("rabbitmq_queue_messages_ready{queue=\"milestones-worker\"}", expr, StringComparison.Ordinal);
        Assert.Contains("absent(milestones_events_consumed_total)", expr, StringComparison.Ordinal);
        Assert.Equal("5m", alert.Str("for"));
        Assert.Equal("critical", alert.Str("labels.severity"));
    }

    [Fact]
    public async Task Every_alert_has_a_severity_a_summary_and_a_description()
    {
        Assert.All((await Alerts()).Values, alert =>
        {
            Assert.Contains(alert.Str("labels.severity"), new[] { "warning", "critical" });
            Assert.False(string.IsNullOrWhiteSpace(alert.Str("annotations.summary")));
            Assert.False(string.IsNullOrWhiteSpace(alert.Str("annotations.description")));
        });
    }

    [Fact]
    public async Task Pass_promtool_check_and_the_rule_unit_tests()
    {
        var promtool = ExternalCommand.FindOnPath("promtool");
        Assert.SkipWhen(promtool is null, "promtool is not installed (Debian: apt-get install prometheus)");
        var token = TestContext.Current.CancellationToken;

        var check = await ExternalCommand.Run(promtool, ["check", "rules", Repository.PathOf(RulesFile)], cancellationToken: token);
        var unitTests = await ExternalCommand.Run(promtool, ["test", "rules", Repository.PathOf("deploy/prometheus/alerts.test.yaml")], cancellationToken: token);
        var config = await ExternalCommand.Run(promtool, ["check", "config", Repository.PathOf("deploy/prometheus/prometheus.yml")], cancellationToken: token);

        Assert.True(check.Succeeded, check.ToString());
        Assert.True(unitTests.Succeeded, unitTests.ToString());
        Assert.True(config.Succeeded, config.ToString());
    }

    async Task<Dictionary<string, JsonObject>> Alerts()
    {
        var documents = await toolchain.YamlAsJson(RulesFile);
        var rules = Assert.Single(documents)!.Arr("groups").OfType<JsonObject>()
            .SelectMany(g => g.Arr("rules").OfType<JsonObject>())
            .Where(r => r.Str("alert") is not null)
            .ToList();
        Assert.NotEmpty(rules);
        Assert.All(rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Str("expr")), $"alert {r.Str("alert")} has no expr"));
        return rules.ToDictionary(r => r.Str("alert")!, StringComparer.Ordinal);
    }
}
