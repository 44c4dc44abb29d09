using System.Text.Json.Nodes;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class The_network_policy(DeployToolchain toolchain)
{
    static readonly string[] AllowedEgress = ["53/UDP", "53/TCP", "5671/TCP", "5672/TCP", "27017/TCP", "4317/TCP", "4318/TCP"];

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Selects_the_worker_pods_for_both_directions(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var policy = manifests.Only("NetworkPolicy");
        var podLabels = manifests.Only("Deployment").Obj("spec.template.metadata.labels");

        var selector = policy.Obj("spec.podSelector.matchLabels");
        Assert.NotEmpty(selector);
        Assert.All(selector, pair => Assert.Equal(pair.Value?.GetValue<string>(), podLabels[pair.Key]?.GetValue<string>()));
        Assert.Equal(["Egress", "Ingress"], policy.Arr("spec.policyTypes").Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Allows_egress_only_to_dns_rabbitmq_mongodb_and_the_collector(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var rules = manifests.Only("NetworkPolicy").Arr("spec.egress").OfType<JsonObject>().ToList();

        // A rule without ports opens every port, a rule without peers every destination.
        Assert.All(rules, rule => Assert.NotEmpty(rule.ArrOrEmpty("ports")));
        Assert.All(rules, rule => Assert.NotEmpty(rule.ArrOrEmpty("to")));
        var ports = rules.SelectMany(r => r.Arr("ports").OfType<JsonObject>()).Select(PortAndProtocol).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(AllowedEgress.Order(StringComparer.Ordinal), ports.Order(StringComparer.Ordinal));
        Assert.All(
            rules.SelectMany(r => r.Arr("ports").OfType<JsonObject>()),
            p => Assert.Null(p.At("endPort")));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Allows_ingress_only_to_the_query_and_probe_ports(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var rules = manifests.Only("NetworkPolicy").Arr("spec.ingress").OfType<JsonObject>().ToList();

        Assert.All(rules, rule => Assert.NotEmpty(rule.ArrOrEmpty("ports")));
        var ports = rules.SelectMany(r => r.Arr("ports").OfType<JsonObject>()).Select(PortAndProtocol).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["8080/TCP", "8081/TCP"], ports.Order(StringComparer.Ordinal));

        // The query API is not open to the world: its rule names its peers.
        var query = Assert.Single(rules, r => r.Arr("ports").OfType<JsonObject>().Any(p => p.Str("port") == "8080"));
        Assert.NotEmpty(query.ArrOrEmpty("from"));
    }

    static string PortAndProtocol(JsonObject port) => $"{port.Str("port")}/{port.Str("protocol") ?? "TCP"}";
}
