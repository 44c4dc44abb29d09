using System.Text.RegularExpressions;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

/// <summary>
/// There is no container engine on the build machines, so the Dockerfile is checked as text here, and the same
/// runtime conditions (UID 1654, read-only root, writable /tmp) are exercised by deploy/scripts/run-rootless.sh.
/// </summary>
public sealed partial class The_container_image(DeployToolchain toolchain)
{
    [Fact]
    public async Task Passes_the_dockerfile_linter()
    {
        var result = await toolchain.LintDockerfile(Repository.PathOf("deploy/Dockerfile"), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public async Task The_linter_rejects_a_broken_dockerfile()
    {
        var broken = toolchain.ScratchFile(".Dockerfile");
        await File.WriteAllTextAsync(broken, "FROM mcr.microsoft.com/dotnet/aspnet:10.0\nEXPOSE eighty\nUSERR 1654\n", TestContext.Current.CancellationToken);

        var result = await toolchain.LintDockerfile(broken, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded, result.ToString());
        Assert.Contains("Unknown instruction: USERR", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Builds_on_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var stages = await Stages();

        Assert.True(stages.Count >= 2, "multi-stage build expected");
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/sdk:", stages[0][0]);
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/aspnet:\$\{DOTNET_VERSION\}[-a-z]*( AS \w+)?$", stages[^1][0]);
        Assert.Contains("ARG DOTNET_VERSION=10.0", await Lines(), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Restores_from_the_project_files_before_copying_the_sources()
    {
        var build = (await Stages()).Single(s => s.Any(l => l.Contains("dotnet publish", StringComparison.Ordinal)));

        var restore = build.FindIndex(l => l.Contains("dotnet restore", StringComparison.Ordinal));
        var sources = build.FindIndex(l => l.StartsWith("COPY services/", StringComparison.Ordinal));
        var publish = build.FindIndex(l => l.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.True(restore >= 0 && restore < sources && sources < publish, "restore, then copy sources, then publish");
        Assert.Contains("services/Milestones.Worker", build[publish], StringComparison.Ordinal);
        Assert.Contains("--no-restore", build[publish], StringComparison.Ordinal);
        Assert.Contains("-o /app", build[publish], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_as_uid_1654_without_a_shell()
    {
        var runtime = (await Stages())[^1];

        Assert.Equal("USER 1654", runtime.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.Equal("ENTRYPOINT [\"dotnet\", \"Milestones.Worker.dll\"]", runtime.Single(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
        Assert.DoesNotContain(runtime, l => l.StartsWith("RUN ", StringComparison.Ordinal) || l.StartsWith("CMD ", StringComparison.Ordinal) || l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        Assert.Contains(runtime, l => Regex.IsMatch(l, @"^EXPOSE 8080 8081$"));
        var environment = string.Join(' ', runtime.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)));
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", environment, StringComparison.Ordinal);
        Assert.True(
            environment.Contains("TMPDIR=/tmp", StringComparison.Ordinal) || environment.Contains("DOTNET_EnableDiagnostics=0", StringComparison.Ordinal),
            "the runtime must only need /tmp to be writable");
        Assert.Equal("WORKDIR /app", runtime.Single(l => l.StartsWith("WORKDIR", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Keeps_build_output_tests_and_git_out_of_the_context()
    {
        var ignored = (await File.ReadAllLinesAsync(Repository.PathOf("deploy/Dockerfile.dockerignore"), TestContext.Current.CancellationToken))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "**/bin/", "**/obj/", ".git/", "tests/", "**/node_modules/" }, ignored);
    }

    /// <summary>Instructions with continuation lines joined and comments dropped.</summary>
    static async Task<List<string>> Lines()
    {
        var text = await File.ReadAllTextAsync(Repository.PathOf("deploy/Dockerfile"), TestContext.Current.CancellationToken);
        var joined = Continuation().Replace(text, " ");
        return [.. joined.Split('\n').Select(l => Spaces().Replace(l.Trim(), " ")).Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    static async Task<List<List<string>>> Stages()
    {
        var stages = new List<List<string>>();
        foreach (var line in await Lines())
        {
            if (line.StartsWith("FROM ", StringComparison.Ordinal))
            {
                stages.Add([]);
            }

            stages.LastOrDefault()?.Add(line);
        }

        return stages;
    }

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex Continuation();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
