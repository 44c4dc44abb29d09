using System.Text.Json.Nodes;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class The_dashboard(DeployToolchain toolchain)
{
    static readonly string[] MilestonesMetrics =
    [
        "milestones_events_consumed_total",
        "milestones_events_applied_total",
        "milestones_events_duplicate_total",
        "milestones_events_rejected_total",
        "milestones_completions_published_total",
        "milestones_processing_duration_seconds_bucket",
        "milestones_processing_duration_seconds_sum",
        "milestones_processing_duration_seconds_count",
        "milestones_outbox_backlog",
        "milestones_outbox_oldest_age_seconds",
        "milestones_outbox_unroutable_total",
        "milestones_record_failures_total",
        "milestones_store_outage",
        "milestones_sink_refused_total",
    ];

    [Fact]
    public async Task Is_a_grafana_dashboard_with_a_prometheus_datasource_variable()
    {
        var dashboard = await Load();

        Assert.False(string.IsNullOrEmpty(dashboard.Str("uid")));
        Assert.False(string.IsNullOrEmpty(dashboard.Str("title")));
        var variable = Assert.Single(dashboard.Arr("templating.list").OfType<JsonObject>(), v => v.Str("type") == "datasource");
        Assert.Equal("prometheus", variable.Str("query"));
        // Panels, targets and query variables all follow the variable, so the dashboard imports into any Grafana.
        var reference = "${" + variable.Str("name") + "}";
        Assert.All(Panels(dashboard).Where(p => p.Str("type") != "row"), p => Assert.Equal(reference, p.Str("datasource.uid")));
        Assert.All(Targets(dashboard), t => Assert.Equal(reference, t.Str("datasource.uid")));
        var prometheusReferences = DatasourceReferences(dashboard).Where(d => d.Str("type") == "prometheus").ToList();
        Assert.NotEmpty(prometheusReferences);
        Assert.All(prometheusReferences, d => Assert.Equal(reference, d.Str("uid")));
    }

    [Fact]
    public async Task Charts_every_milestones_metric()
    {
        var expressions = Expressions(await Load());

        Assert.All(MilestonesMetrics, metric => Assert.Contains(expressions, e => e.Contains(metric, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Shows_rejections_by_reason_processing_quantiles_and_masstransit_consumption()
    {
        var expressions = Expressions(await Load());

        Assert.Contains(expressions, e => e.Contains("by (reason)", StringComparison.Ordinal) && e.Contains("milestones_events_rejected_total", StringComparison.Ordinal));
        foreach (var quantile in new[] { "0.50", "0.95", "0.99" })
        {
            Assert.Contains(expressions, e => e.Contains($"histogram_quantile({quantile}", StringComparison.Ordinal)
                && e.Contains("milestones_processing_duration_seconds_bucket", StringComparison.Ordinal));
        }

        Assert.Contains(expressions, e => e.Contains("messaging_masstransit_consume_total", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shows_every_alert_rule_on_a_panel_that_names_it_and_charts_its_metrics()
    {
        var panels = Panels(await Load()).Where(p => p.Str("type") != "row").ToList();
        var rules = Assert.Single(await toolchain.YamlAsJson("deploy/prometheus/alerts.yaml"))!.Arr("groups").OfType<JsonObject>()
            .SelectMany(g => g.Arr("rules").OfType<JsonObject>())
            .Where(r => r.Str("alert") is not null)
            .ToList();
        Assert.NotEmpty(rules);

        Assert.All(rules, rule =>
        {
            var name = rule.Str("alert")!;
            var metrics = System.Text.RegularExpressions.Regex.Matches(rule.Str("expr")!, @"\b(?:milestones|rabbitmq)_[a-z_]+\b")
                .Select(m => m.Value).Distinct().ToList();
            Assert.NotEmpty(metrics);
            var naming = panels.Where(p => (p.Str("description") ?? "").Contains(name, StringComparison.Ordinal)).ToList();
            Assert.True(naming.Count > 0, $"no panel names the alert {name}");
            var charted = naming.SelectMany(p => p.ArrOrEmpty("targets").OfType<JsonObject>()).Select(t => t.Str("expr") ?? "").ToList();
            Assert.All(metrics, metric => Assert.True(charted.Any(e => e.Contains(metric, StringComparison.Ordinal)),
                $"the panels naming {name} do not chart {metric}"));
        });
    }

    static async Task<JsonObject> Load()
    {
        var text = await File.ReadAllTextAsync(Repository.PathOf("deploy/grafana/milestones-dashboard.json"), TestContext.Current.CancellationToken);
        return JsonNode.Parse(text)?.AsObject() ?? throw new InvalidOperationException("empty dashboard");
    }

    static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        dashboard.Arr("panels").OfType<JsonObject>().SelectMany(p => new[] { p }.Concat(p.ArrOrEmpty("panels").OfType<JsonObject>()));

    static List<JsonObject> Targets(JsonObject dashboard) =>
        [.. Panels(dashboard).SelectMany(p => p.ArrOrEmpty("targets").OfType<JsonObject>())];

    static IEnumerable<JsonObject> DatasourceReferences(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "datasource" && p.Value is JsonObject d ? [d] : DatasourceReferences(p.Value)),
        JsonArray a => a.SelectMany(DatasourceReferences),
        _ => [],
    };

    static List<string> Expressions(JsonObject dashboard)
    {
        var expressions = Targets(dashboard).Select(t => t.Str("expr")).OfType<string>().ToList();
        Assert.NotEmpty(expressions);
        return expressions;
    }
}
