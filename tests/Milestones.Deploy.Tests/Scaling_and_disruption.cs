using System.Text.Json.Nodes;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class Scaling_and_disruption(DeployToolchain toolchain)
{
    [Fact]
    public async Task Prod_scales_on_the_worker_queue_with_keda()
    {
        var manifests = await toolchain.Overlay("prod");
        var scaledObject = manifests.Only("ScaledObject");
        var deployment = manifests.Only("Deployment");

        Assert.Equal("Deployment", scaledObject.Str("spec.scaleTargetRef.kind") ?? "Deployment");
        Assert.Equal(deployment.Str("metadata.name"), scaledObject.Str("spec.scaleTargetRef.name"));
        Assert.Equal(3, scaledObject.Number("spec.minReplicaCount"));
        Assert.Equal(12, scaledObject.Number("spec.maxReplicaCount"));
        Assert.True(deployment.Number("spec.replicas") >= 3, "prod starts with at least three replicas");

        var trigger = Assert.Single(scaledObject.Arr("spec.triggers").OfType<JsonObject>());
        Assert.Equal("rabbitmq", trigger.Str("type"));
        Assert.Equal("milestones-worker", trigger.Str("metadata.queueName"));
        Assert.Equal("QueueLength", trigger.Str("metadata.mode"));
        Assert.True(Json.ParseInt(trigger.Str("metadata.value")!) > 0, "the target queue length must be positive");
        Assert.Null(trigger.At("metadata.host"));

        // The broker URI comes from a Secret through the TriggerAuthentication, never inline.
        var authentication = manifests.Named("TriggerAuthentication", trigger.Str("authenticationRef.name")!);
        var secretRef = Assert.Single(authentication.Arr("spec.secretTargetRef").OfType<JsonObject>());
        Assert.Equal("host", secretRef.Str("parameter"));
        Assert.Equal("milestones-keda-rabbitmq", secretRef.Str("name"));
        Assert.False(string.IsNullOrEmpty(secretRef.Str("key")));
    }

    [Fact]
    public async Task Dev_runs_one_replica_without_keda()
    {
        var manifests = await toolchain.Overlay("dev");

        Assert.Equal(1, manifests.Only("Deployment").Number("spec.replicas"));
        Assert.Empty(manifests.OfKind("ScaledObject"));
        Assert.Empty(manifests.OfKind("TriggerAuthentication"));
    }

    [Fact]
    public async Task Prod_spreads_replicas_over_nodes_and_zones()
    {
        var manifests = await toolchain.Overlay("prod");
        var pod = manifests.Only("Deployment").Obj("spec.template");
        var constraints = pod.Arr("spec.topologySpreadConstraints").OfType<JsonObject>().ToList();

        Assert.Contains(constraints, c => c.Str("topologyKey") == "kubernetes.io/hostname");
        Assert.Contains(constraints, c => c.Str("topologyKey") == "topology.kubernetes.io/zone");
        Assert.All(constraints, c => Assert.All(
            c.Obj("labelSelector.matchLabels"),
            pair => Assert.Equal(pair.Value?.GetValue<string>(), pod.Obj("metadata.labels")[pair.Key]?.GetValue<string>())));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Has_a_disruption_budget_that_still_lets_nodes_drain(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var budget = manifests.Only("PodDisruptionBudget");
        var deployment = manifests.Only("Deployment");
        var replicas = deployment.Number("spec.replicas");

        Assert.Equal(deployment.Obj("spec.selector.matchLabels").ToJsonString(), budget.Obj("spec.selector.matchLabels").ToJsonString());
        var maxUnavailable = budget.Str("spec.maxUnavailable");
        var minAvailable = budget.Str("spec.minAvailable");
        Assert.True((maxUnavailable is not null) ^ (minAvailable is not null), "set exactly one of maxUnavailable and minAvailable");
        if (maxUnavailable is not null)
        {
            Assert.True(Json.ParseInt(maxUnavailable) >= 1, "maxUnavailable 0 would block every drain");
        }
        else
        {
            Assert.True(Json.ParseInt(minAvailable!) < replicas, $"minAvailable {minAvailable} with {replicas} replicas would block every drain");
        }
    }
}
