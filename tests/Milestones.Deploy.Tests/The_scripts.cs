using System.Text.Json.Nodes;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class The_scripts
{
    public static TheoryData<string> Scripts => ["deploy/scripts/run-rootless.sh", "deploy/compose/init-dev-secrets.sh", "deploy/compose/dev-token.sh", "deploy/rabbitmq/broker-permissions.sh"];

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
    public async Task Init_dev_secrets_gives_the_worker_and_every_catalog_source_a_broker_user_whose_password_matches()
    {
        // A copy of the three files the script uses, so the repository's own .secrets stays untouched.
        var root = Directory.CreateTempSubdirectory("milestones-init-secrets-").FullName;
        try
        {
            foreach (var file in new[] { "deploy/compose/init-dev-secrets.sh", "deploy/rabbitmq/broker-permissions.sh", "services/Milestones.Worker/catalog/fengtai-2023.json" })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
                File.Copy(Repository.PathOf(file), Path.Combine(root, file));
            }

            var result = await ExternalCommand.Run("bash", [Path.Combine(root, "deploy/compose/init-dev-secrets.sh")], cancellationToken: TestContext.Current.CancellationToken);

            Assert.True(result.Succeeded, result.ToString());
            var secrets = Path.Combine(root, "deploy/compose/.secrets");
            var definitions = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(secrets, "rabbitmq-definitions.json"), TestContext.Current.CancellationToken))!.AsObject();
            var users = definitions.Arr("users").OfType<JsonObject>().ToDictionary(u => u.Str("name")!);
            var sources = JsonNode.Parse(await File.ReadAllTextAsync(Repository.PathOf("services/Milestones.Worker/catalog/fengtai-2023.json"), TestContext.Current.CancellationToken))!
                .AsObject().Arr("sources").OfType<JsonObject>().Select(s => s.Str("id")!).ToList();
            Assert.Superset(sources.Append("milestones-worker").ToHashSet(), users.Keys.ToHashSet());
            Assert.DoesNotContain("guest", users.Keys);
            var workerPassword = await File.ReadAllTextAsync(Path.Combine(secrets, "RabbitMqTransport__Pass"), TestContext.Current.CancellationToken);
            Assert.True(HashMatches(users["milestones-worker"].Str("password_hash")!, workerPassword), "the worker's password file does not match its hash in the definitions");
            Assert.DoesNotContain(workerPassword, definitions.ToJsonString(), StringComparison.Ordinal);
            Assert.Equal("milestones", Assert.Single(definitions.Arr("vhosts").OfType<JsonObject>()).Str("name"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)), with a 4-byte salt.</summary>
    static bool HashMatches(string passwordHash, string password)
    {
        var bytes = Convert.FromBase64String(passwordHash);
        var salt = bytes.AsSpan(0, 4);
        var expected = System.Security.Cryptography.SHA256.HashData([.. salt, .. System.Text.Encoding.UTF8.GetBytes(password)]);
        return bytes.AsSpan(4).SequenceEqual(expected);
    }

    [Fact]
    public async Task Run_rootless_refuses_to_start_without_a_publish_directory()
    {
        var result = await ExternalCommand.Run("bash", [Repository.PathOf("deploy/scripts/run-rootless.sh")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PUBLISH_DIR", result.StandardError, StringComparison.Ordinal);
    }
}
