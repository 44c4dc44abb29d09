using System.Collections.Concurrent;
using System.Text.Json.Nodes;

[assembly: AssemblyFixture(typeof(Milestones.Deploy.Tests.Infrastructure.DeployToolchain))]

namespace Milestones.Deploy.Tests.Infrastructure;

/// <summary>
/// Shared by every test: installs the Node validator's locked dependencies once (npm ci), renders each overlay
/// once with kubectl kustomize and turns YAML into JSON through the same parser that validates it, so the C#
/// assertions read exactly what the schema check saw.
/// </summary>
public sealed class DeployToolchain : IDisposable
{
    static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(4);

    readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("milestones-deploy-tests-");
    readonly SemaphoreSlim _npmLock = new(1, 1);
    readonly ConcurrentDictionary<string, Lazy<Task<RenderedManifests>>> _overlays = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, Lazy<Task<JsonArray>>> _yamlFiles = new(StringComparer.Ordinal);
    bool _npmReady;

    public static string ValidatorDirectory => Repository.PathOf("deploy/validate");

    static string ValidatorScript => Path.Combine(ValidatorDirectory, "validate.mjs");

    /// <summary>Renders <c>deploy/k8s/overlays/{name}</c> (once per test run) and validates the result.</summary>
    public Task<RenderedManifests> Overlay(string name) =>
        _overlays.GetOrAdd(name, n => new Lazy<Task<RenderedManifests>>(() => RenderAndValidate(n))).Value;

    /// <summary>Runs <c>kubectl kustomize</c> on a directory of the repository.</summary>
    public static Task<CommandResult> Kustomize(string relativeDirectory, CancellationToken cancellationToken) =>
        ExternalCommand.Run("kubectl", ["kustomize", Repository.PathOf(relativeDirectory)], timeout: ToolTimeout, cancellationToken: cancellationToken);

    /// <summary>Runs deploy/validate/validate.mjs on a YAML file, optionally writing the documents as JSON.</summary>
    public async Task<CommandResult> Validate(string yamlFile, string? jsonOutput, CancellationToken cancellationToken)
    {
        await EnsureNodeModules(cancellationToken);
        string[] arguments = jsonOutput is null ? [ValidatorScript, yamlFile] : [ValidatorScript, "--json", jsonOutput, yamlFile];
        return await ExternalCommand.Run("node", arguments, timeout: ToolTimeout, cancellationToken: cancellationToken);
    }

    /// <summary>Lints a Dockerfile with deploy/validate/lint-dockerfile.mjs (dockerfile-utils).</summary>
    public async Task<CommandResult> LintDockerfile(string dockerfile, CancellationToken cancellationToken)
    {
        await EnsureNodeModules(cancellationToken);
        return await ExternalCommand.Run(
            "node", [Path.Combine(ValidatorDirectory, "lint-dockerfile.mjs"), dockerfile], timeout: ToolTimeout, cancellationToken: cancellationToken);
    }

    /// <summary>Validates YAML text written to a scratch file (for hand-made, deliberately broken manifests).</summary>
    public async Task<CommandResult> ValidateText(string yaml, CancellationToken cancellationToken)
    {
        var file = ScratchFile(".yaml");
        await File.WriteAllTextAsync(file, yaml, cancellationToken);
        return await Validate(file, jsonOutput: null, cancellationToken);
    }

    /// <summary>
    /// Parses a YAML file of the repository (compose, Prometheus rules) into JSON documents, once per test run.
    /// Each caller gets its own copy to read.
    /// </summary>
    public async Task<JsonArray> YamlAsJson(string relativeFile)
    {
        var parsed = await _yamlFiles.GetOrAdd(relativeFile, f => new Lazy<Task<JsonArray>>(() => ParseYaml(f))).Value;
        return parsed.DeepClone().AsArray();
    }

    public string ScratchFile(string extension) => Path.Combine(_scratch.FullName, $"{Guid.NewGuid():N}{extension}");

    public void Dispose()
    {
        _npmLock.Dispose();
        _scratch.Delete(recursive: true);
    }

    // Shared work must not be cancelled by whichever test happened to start it: it runs on its own timeouts.
    async Task<RenderedManifests> RenderAndValidate(string overlay)
    {
        var rendered = await Kustomize($"deploy/k8s/overlays/{overlay}", CancellationToken.None);
        if (!rendered.Succeeded)
        {
            return RenderedManifests.Failed(overlay, rendered);
        }

        var yamlFile = ScratchFile($".{overlay}.yaml");
        var jsonFile = ScratchFile($".{overlay}.json");
        await File.WriteAllTextAsync(yamlFile, rendered.StandardOutput, CancellationToken.None);
        var validation = await Validate(yamlFile, jsonFile, CancellationToken.None);
        var documents = File.Exists(jsonFile)
            ? JsonNode.Parse(await File.ReadAllTextAsync(jsonFile, CancellationToken.None))?.AsArray() ?? []
            : [];
        return new RenderedManifests(overlay, rendered, validation, documents);
    }

    async Task<JsonArray> ParseYaml(string relativeFile)
    {
        await EnsureNodeModules(CancellationToken.None);
        var result = await ExternalCommand.Run(
            "node", [ValidatorScript, "--to-json", Repository.PathOf(relativeFile)], timeout: ToolTimeout, cancellationToken: CancellationToken.None);
        Assert.True(result.Succeeded, result.ToString());
        return JsonNode.Parse(result.StandardOutput)?.AsArray() ?? throw new InvalidOperationException($"No JSON from {result.Command}");
    }

    async Task EnsureNodeModules(CancellationToken cancellationToken)
    {
        await _npmLock.WaitAsync(cancellationToken);
        try
        {
            if (_npmReady)
            {
                return;
            }

            // Installed from the committed package-lock.json only, exactly as pinned.
            if (!Directory.Exists(Path.Combine(ValidatorDirectory, "node_modules")))
            {
                var install = await ExternalCommand.Run(
                    "npm", ["ci", "--no-audit", "--no-fund"], ValidatorDirectory, ToolTimeout, cancellationToken);
                if (!install.Succeeded)
                {
                    throw new InvalidOperationException($"npm ci failed in {ValidatorDirectory}:{Environment.NewLine}{install}");
                }
            }

            _npmReady = true;
        }
        finally
        {
            _npmLock.Release();
        }
    }
}
