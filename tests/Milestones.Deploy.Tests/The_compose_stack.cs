using System.Globalization;
using System.Text.Json.Nodes;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class The_compose_stack(DeployToolchain toolchain)
{
    [Fact]
    public async Task Runs_the_worker_as_the_app_user_on_a_read_only_filesystem()
    {
        var worker = (await Services())["worker"];

        Assert.Equal("deploy/Dockerfile", worker.Str("build.dockerfile"));
        Assert.Equal("1654:1654", worker.Str("user"));
        Assert.True(worker.Bool("read_only"), "the worker must run with read_only: true");
        Assert.Contains(worker.Arr("tmpfs").Select(t => t!.GetValue<string>()), t => t.StartsWith("/tmp", StringComparison.Ordinal));
        Assert.Contains("ALL", worker.Arr("cap_drop").Select(c => c!.GetValue<string>()));
        Assert.Contains("no-new-privileges:true", worker.Arr("security_opt").Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task Gives_the_worker_its_secrets_as_files_under_run_secrets_milestones()
    {
        var compose = await Compose();
        var worker = compose.Obj("services").Obj("worker");

        var targets = worker.Arr("secrets").OfType<JsonObject>().Select(s => s.Str("target")).ToList();
        Assert.Contains("/run/secrets/milestones/RabbitMqTransport__Pass", targets);
        Assert.Contains("/run/secrets/milestones/MongoDb__ConnectionString", targets);
        Assert.All(compose.Obj("secrets"), secret =>
            Assert.StartsWith("./.secrets/", secret.Value!.Str("file"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Puts_no_credentials_in_the_environment()
    {
        foreach (var (name, service) in await Services())
        {
            foreach (var (key, _) in service.At("environment") as JsonObject ?? [])
            {
                var secretLike = key.Contains("PASS", StringComparison.OrdinalIgnoreCase) || key.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase);
                Assert.False(secretLike && !key.EndsWith("__FILE", StringComparison.Ordinal), $"service {name} sets {key} in its environment; use a secret file");
            }
        }
    }

    [Fact]
    public async Task Connects_the_worker_as_its_own_broker_user_set_up_by_the_permissions_script()
    {
        var compose = await Compose();
        var services = compose.Obj("services");
        var worker = services.Obj("worker").Obj("environment");
        var rabbitmq = services.Obj("rabbitmq");

        Assert.Equal("milestones-worker", worker.Str("RabbitMqTransport__User"));
        Assert.Equal("milestones", worker.Str("RabbitMqTransport__VHost"));
        Assert.Null(worker.At("Messaging__AllowDefaultBrokerCredentials"));
        // Plaintext AMQP and MongoDB on the local stack: allowed explicitly, as the worker requires in Production.
        Assert.Equal("false", worker.Str("RabbitMqTransport__UseSsl"));
        Assert.Equal("true", worker.Str("Security__AllowInsecureTransport"));
        // The broker imports the definitions init-dev-secrets.sh generated with deploy/rabbitmq/broker-permissions.sh.
        var definitions = Assert.Single(rabbitmq.Arr("secrets").OfType<JsonObject>(), s => s.Str("target") == "/etc/rabbitmq/definitions.json");
        Assert.Equal("./.secrets/rabbitmq-definitions.json", compose.Obj("secrets").Obj(definitions.Str("source")!).Str("file"));
        var volumes = rabbitmq.Arr("volumes").Select(v => v!.GetValue<string>()).ToList();
        var conf = Assert.Single(volumes, v => v.EndsWith(":/etc/rabbitmq/conf.d/30-load-definitions.conf:ro", StringComparison.Ordinal));
        var confFile = Path.Combine(Repository.Deploy, "compose", conf.Split(':')[0]);
        Assert.Contains("load_definitions = /etc/rabbitmq/definitions.json", await File.ReadAllTextAsync(confFile, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stops_the_worker_within_its_grace_period()
    {
        var worker = (await Services())["worker"];
        var environment = worker.Obj("environment");

        var grace = TimeSpan.FromSeconds(Json.ParseInt(worker.Str("stop_grace_period")!.TrimEnd('s')));
        var host = TimeSpan.Parse(environment.Str("HostOptions__ShutdownTimeout")!, CultureInfo.InvariantCulture);
        var bus = TimeSpan.Parse(environment.Str("Messaging__StopTimeout")!, CultureInfo.InvariantCulture);
        Assert.True(grace > host && host > bus, $"stop_grace_period {grace} > host shutdown {host} > bus stop {bus} must hold");
    }

    [Fact]
    public async Task Has_a_mongodb_replica_set_and_the_observability_services()
    {
        var services = await Services();

        var mongo = services["mongodb"];
        Assert.Contains("--replSet", mongo.Arr("command").Select(c => c!.GetValue<string>()));
        Assert.Contains("rs.initiate", mongo.Arr("healthcheck.test").ToJsonString(), StringComparison.Ordinal);
        foreach (var name in new[] { "rabbitmq", "otel-collector", "jaeger", "prometheus", "grafana" })
        {
            Assert.True(services.ContainsKey(name), $"service {name} is missing");
        }

        Assert.Equal("service_healthy", services["worker"].Str("depends_on.mongodb.condition"));
        Assert.Equal("service_healthy", services["worker"].Str("depends_on.rabbitmq.condition"));
    }

    [Fact]
    public async Task Publishes_ports_on_loopback_only()
    {
        foreach (var (name, service) in await Services())
        {
            foreach (var port in service.ArrOrEmpty("ports").Select(p => p!.GetValue<string>()))
            {
                Assert.True(port.StartsWith("127.0.0.1:", StringComparison.Ordinal), $"service {name} publishes {port} beyond loopback");
            }
        }
    }

    [Fact]
    public async Task Trusts_the_key_set_of_init_dev_secrets_and_dev_token_signs_tokens_it_accepts()
    {
        var compose = await Compose();
        var worker = compose.Obj("services").Obj("worker");
        var environment = worker.Obj("environment");
        var keysPath = environment.Str("Api__Authentication__SigningKeysPath")!;
        var mount = Assert.Single(worker.Arr("secrets").OfType<JsonObject>(), s => s.Str("target") == keysPath);
        Assert.Equal("./.secrets/api-signing-keys.json", compose.Obj("secrets").Obj(mount.Str("source")!).Str("file"));
        Assert.False(keysPath.StartsWith("/run/secrets/milestones/", StringComparison.Ordinal), "files there are configuration keys, not files to read");

        // A copy of the files the scripts use, so the repository's own .secrets stays untouched.
        var root = Directory.CreateTempSubdirectory("milestones-dev-token-").FullName;
        try
        {
            foreach (var file in new[] { "deploy/compose/init-dev-secrets.sh", "deploy/compose/dev-token.sh", "deploy/rabbitmq/broker-permissions.sh", "services/Milestones.Worker/catalog/fengtai-2023.json" })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
                File.Copy(Repository.PathOf(file), Path.Combine(root, file));
            }
            var init = await ExternalCommand.Run("bash", [Path.Combine(root, "deploy/compose/init-dev-secrets.sh")], cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(init.Succeeded, init.ToString());
            var minted = await ExternalCommand.Run("bash", [Path.Combine(root, "deploy/compose/dev-token.sh"), "district-staff"], cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(minted.Succeeded, minted.ToString());

            var parts = minted.StandardOutput.Trim().Split('.');
            var keys = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "deploy/compose/.secrets/api-signing-keys.json"), TestContext.Current.CancellationToken))!.AsObject();
            var key = Assert.Single(keys.Arr("keys").OfType<JsonObject>());
            using var rsa = System.Security.Cryptography.RSA.Create(new System.Security.Cryptography.RSAParameters
            {
                Modulus = System.Buffers.Text.Base64Url.DecodeFromChars(key.Str("n")),
                Exponent = System.Buffers.Text.Base64Url.DecodeFromChars(key.Str("e")),
            });
            var signed = System.Text.Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            Assert.True(rsa.VerifyData(signed, System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]),
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1), "the token's signature does not verify with the key set");
            var header = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]))!.AsObject();
            var claims = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))!.AsObject();
            Assert.Equal(("RS256", key.Str("kid")), (header.Str("alg"), header.Str("kid")));
            Assert.Equal(environment.Str("Api__Authentication__Issuer"), claims.Str("iss"));
            Assert.Equal(environment.Str("Api__Authentication__Audience"), claims.Str("aud"));
            Assert.Equal("district-staff", claims.Str("sub"));
            var expires = DateTimeOffset.FromUnixTimeSeconds(claims["exp"]!.GetValue<long>());
            Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    async Task<JsonObject> Compose()
    {
        var documents = await toolchain.YamlAsJson("deploy/compose/compose.yaml");
        return Assert.Single(documents)!.AsObject();
    }

    async Task<Dictionary<string, JsonObject>> Services() =>
        (await Compose()).Obj("services").ToDictionary(s => s.Key, s => s.Value!.AsObject(), StringComparer.Ordinal);
}
