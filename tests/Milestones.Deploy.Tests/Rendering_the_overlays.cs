using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class Rendering_the_overlays(DeployToolchain toolchain)
{
    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Renders_with_kubectl_kustomize(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);

        Assert.True(manifests.Rendering.Succeeded, manifests.Rendering.ToString());
        foreach (var kind in new[] { "Namespace", "ServiceAccount", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget", "NetworkPolicy" })
        {
            Assert.NotEmpty(manifests.OfKind(kind));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Validates_offline_against_the_kubernetes_and_keda_schemas(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);

        Assert.True(manifests.Rendering.Succeeded, manifests.Rendering.ToString());
        Assert.NotNull(manifests.Validation);
        Assert.True(manifests.Validation.Succeeded, manifests.Validation.ToString());
        Assert.Contains($"{manifests.Documents.Count} object(s) valid", manifests.Validation.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Puts_every_namespaced_object_in_the_overlay_namespace(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var expected = Overlays.Namespaces[overlay];

        Assert.Equal(expected, manifests.Only("Namespace").Str("metadata.name"));
        Assert.Equal("restricted", manifests.Only("Namespace").Label("pod-security.kubernetes.io/enforce"));
        Assert.All(
            manifests.Objects.Where(o => o.Str("kind") != "Namespace"),
            o => Assert.True(o.Str("metadata.namespace") == expected, $"{o.Str("kind")} {o.Str("metadata.name")} is in namespace {o.Str("metadata.namespace")}"));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Carries_no_secret_objects(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);

        Assert.NotEmpty(manifests.Documents);
        Assert.Empty(manifests.OfKind("Secret"));
    }

    [Fact]
    public async Task The_base_renders_on_its_own_without_keda()
    {
        var token = TestContext.Current.CancellationToken;

        var rendered = await DeployToolchain.Kustomize("deploy/k8s/base", token);

        Assert.True(rendered.Succeeded, rendered.ToString());
        Assert.DoesNotContain("kind: ScaledObject", rendered.StandardOutput, StringComparison.Ordinal);
    }
}
