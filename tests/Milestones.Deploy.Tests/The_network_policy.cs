using System.Text.Json.Nodes;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class The_network_policy(DeployToolchain toolchain)
{
    /// <summary>
    /// Egress ports per overlay. Production: the TLS ports only (AMQPS 5671, MongoDB 27017 with TLS, OTLP/gRPC over TLS
    /// 4317), HTTPS to the query API's token issuer (443) and DNS. The dev cluster may also speak plaintext AMQP (5672) and OTLP/HTTP (4318).
    /// </summary>
    static readonly Dictionary<string, string[]> AllowedEgress = new(StringComparer.Ordinal)
    {
        ["dev"] = ["53/UDP", "53/TCP", "5671/TCP", "5672/TCP", "27017/TCP", "4317/TCP", "4318/TCP", "443/TCP"],
        ["prod"] = ["53/UDP", "53/TCP", "5671/TCP", "27017/TCP", "4317/TCP", "443/TCP"],
    };

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
        Assert.Equal(AllowedEgress[overlay].Order(StringComparer.Ordinal), ports.Order(StringComparer.Ordinal));
        Assert.All(
            rules.SelectMany(r => r.Arr("ports").OfType<JsonObject>()),
            p => Assert.Null(p.At("endPort")));
    }

    [Fact]
    public async Task In_production_opens_each_tls_port_to_its_own_server_only()
    {
        var manifests = await toolchain.Overlay("prod");
        var rules = manifests.Only("NetworkPolicy").Arr("spec.egress").OfType<JsonObject>().ToList();

        // Port → the app.kubernetes.io/name of the only pods it may reach.
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["5671/TCP"] = "rabbitmq",
            ["27017/TCP"] = "mongodb",
            ["4317/TCP"] = "opentelemetry-collector",
        };
        foreach (var (port, server) in expected)
        {
            var rule = Assert.Single(rules, r => r.Arr("ports").OfType<JsonObject>().Any(p => PortAndProtocol(p) == port));
            Assert.Equal([port], rule.Arr("ports").OfType<JsonObject>().Select(PortAndProtocol));
            var peer = Assert.Single(rule.Arr("to").OfType<JsonObject>());
            // Label keys contain dots, so they are read from the object, not by a dotted path.
            Assert.Equal(server, peer.Obj("podSelector.matchLabels")["app.kubernetes.io/name"]?.GetValue<string>());
        }

        // The token issuer is outside the cluster's labels: an address block, on HTTPS only.
        var issuer = Assert.Single(rules, r => r.Arr("ports").OfType<JsonObject>().Any(p => PortAndProtocol(p) == "443/TCP"));
        Assert.Equal(["443/TCP"], issuer.Arr("ports").OfType<JsonObject>().Select(PortAndProtocol));
        Assert.NotNull(Assert.Single(issuer.Arr("to").OfType<JsonObject>()).At("ipBlock.cidr"));
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
