using System.Text.Json.Nodes;

namespace Milestones.Deploy.Tests.Infrastructure;

/// <summary>One overlay as kubectl kustomize rendered it, the validator's verdict, and the objects as JSON.</summary>
public sealed record RenderedManifests(string Overlay, CommandResult Rendering, CommandResult? Validation, JsonArray Documents)
{
    public static RenderedManifests Failed(string overlay, CommandResult rendering) => new(overlay, rendering, null, []);

    string RenderingProblem => Rendering.Succeeded ? string.Empty : $" (rendering failed: {Rendering})";

    public IEnumerable<JsonObject> Objects => Documents.OfType<JsonObject>();

    public IReadOnlyList<JsonObject> OfKind(string kind) =>
        [.. Objects.Where(o => string.Equals(o.Str("kind"), kind, StringComparison.Ordinal))];

    /// <summary>The only object of <paramref name="kind"/>; fails the test when there are none or several.</summary>
    public JsonObject Only(string kind)
    {
        var found = OfKind(kind);
        Assert.True(found.Count == 1, $"overlay {Overlay}: expected exactly one {kind}, found {found.Count}{RenderingProblem}");
        return found[0];
    }

    public JsonObject Named(string kind, string name)
    {
        var found = OfKind(kind).Where(o => string.Equals(o.Str("metadata.name"), name, StringComparison.Ordinal)).ToList();
        Assert.True(found.Count == 1, $"overlay {Overlay}: expected one {kind} named {name}, found {found.Count}{RenderingProblem}");
        return found[0];
    }

    /// <summary>The Deployment's only container.</summary>
    public JsonObject WorkerContainer()
    {
        var containers = Only("Deployment").Arr("spec.template.spec.containers");
        Assert.True(containers.Count == 1, $"overlay {Overlay}: expected one container, found {containers.Count}");
        return containers[0]!.AsObject();
    }

    /// <summary>
    /// The worker's environment as the kubelet builds it: ConfigMaps from envFrom in order, then literal env entries.
    /// </summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment()
    {
        var container = WorkerContainer();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.ArrOrEmpty("envFrom").OfType<JsonObject>())
        {
            var name = source.Str("configMapRef.name");
            Assert.False(name is null, $"overlay {Overlay}: envFrom entry without configMapRef: {source.ToJsonString()}");
            foreach (var (key, value) in Named("ConfigMap", name!).Obj("data"))
            {
                environment[key] = value?.GetValue<string>() ?? string.Empty;
            }
        }

        foreach (var entry in container.ArrOrEmpty("env").OfType<JsonObject>())
        {
            if (entry.Str("value") is { } value)
            {
                environment[entry.Str("name")!] = value;
            }
        }

        return environment;
    }
}
