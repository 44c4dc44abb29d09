using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class The_scripts
{
    public static TheoryData<string> Scripts => ["deploy/scripts/run-rootless.sh", "deploy/compose/init-dev-secrets.sh"];

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Are_valid_bash(string script)
    {
        var result = await ExternalCommand.Run("bash", ["-n", Repository.PathOf(script)], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Pass_shellcheck(string script)
    {
        var shellcheck = ExternalCommand.FindOnPath("shellcheck");
        Assert.SkipWhen(shellcheck is null, "shellcheck is not installed (Debian: apt-get install shellcheck)");

        var result = await ExternalCommand.Run(shellcheck, [Repository.PathOf(script)], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public async Task Run_rootless_refuses_to_start_without_a_publish_directory()
    {
        var result = await ExternalCommand.Run("bash", [Repository.PathOf("deploy/scripts/run-rootless.sh")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PUBLISH_DIR", result.StandardError, StringComparison.Ordinal);
    }
}
