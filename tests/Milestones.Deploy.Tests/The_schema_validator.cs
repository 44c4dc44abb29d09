using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

/// <summary>The offline check must be able to fail: hand-made broken manifests are rejected, a sound one passes.</summary>
public sealed class The_schema_validator(DeployToolchain toolchain)
{
    const string DeploymentWithPort = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: probe
        spec:
          selector:
            matchLabels: {app: probe}
          template:
            metadata:
              labels: {app: probe}
            spec:
              containers:
                - name: probe
                  image: probe:1
                  ports:
                    - containerPort: PORT
        """;

    [Fact]
    public async Task Accepts_a_sound_deployment()
    {
        var result = await toolchain.ValidateText(DeploymentWithPort.Replace("PORT", "8080", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public async Task Rejects_a_container_port_given_as_a_word()
    {
        var result = await toolchain.ValidateText(DeploymentWithPort.Replace("PORT", "eighty", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("containerPort must be integer", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_scaled_object_with_a_non_numeric_replica_count()
    {
        const string yaml = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: probe
            spec:
              scaleTargetRef:
                name: probe
              minReplicaCount: three
              triggers:
                - type: rabbitmq
                  metadata:
                    queueName: milestones-worker
            """;

        var result = await toolchain.ValidateText(yaml, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("minReplicaCount must be integer", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_kind_it_has_no_schema_for()
    {
        const string yaml = """
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: probe
            """;

        var result = await toolchain.ValidateText(yaml, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("no schema for example.com/v1 Widget", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_malformed_yaml()
    {
        var result = await toolchain.ValidateText("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n", TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("YAML error", result.StandardError, StringComparison.Ordinal);
    }
}
