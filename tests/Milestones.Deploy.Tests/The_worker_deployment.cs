using System.Globalization;
using System.Text.Json.Nodes;
using Milestones.Deploy.Tests.Infrastructure;

namespace Milestones.Deploy.Tests;

public sealed class The_worker_deployment(DeployToolchain toolchain)
{
    const int AppUid = 1654;
    const string SecretsPath = "/run/secrets/milestones";

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Probes_startup_readiness_and_liveness_on_the_health_port(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var container = manifests.WorkerContainer();

        foreach (var (probe, path) in new[] { ("startupProbe", "/health/startup"), ("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live") })
        {
            Assert.Equal(path, container.Str($"{probe}.httpGet.path"));
            Assert.Equal(8081, ResolvePort(container, container.Req($"{probe}.httpGet.port")));
        }

        Assert.Equal(8080, ResolvePort(container, JsonValue.Create("http")));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Runs_as_the_app_user_under_the_restricted_profile(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var pod = manifests.Only("Deployment").Obj("spec.template.spec");
        var container = manifests.WorkerContainer();

        // The container's settings win over the pod's; each must hold in the effective result.
        string? Effective(string field) => container.Str($"securityContext.{field}") ?? pod.Str($"securityContext.{field}");

        Assert.Equal("true", Effective("runAsNonRoot"));
        Assert.Equal(AppUid.ToString(CultureInfo.InvariantCulture), Effective("runAsUser"));
        Assert.Equal(AppUid.ToString(CultureInfo.InvariantCulture), Effective("runAsGroup"));
        Assert.Equal("RuntimeDefault", Effective("seccompProfile.type"));
        Assert.Equal(AppUid, pod.Number("securityContext.fsGroup"));
        Assert.True(container.Bool("securityContext.readOnlyRootFilesystem"), "readOnlyRootFilesystem must be true");
        Assert.False(container.Bool("securityContext.allowPrivilegeEscalation") ?? true, "allowPrivilegeEscalation must be false");
        Assert.NotEqual(true, container.Bool("securityContext.privileged"));
        Assert.Contains("ALL", container.Arr("securityContext.capabilities.drop").Select(c => c?.GetValue<string>()));
        Assert.Empty(container.ArrOrEmpty("securityContext.capabilities.add"));
        Assert.False(pod.Bool("automountServiceAccountToken") ?? true, "the pod must not mount a service account token");
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Has_writable_tmp_only_on_an_empty_dir(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var pod = manifests.Only("Deployment").Obj("spec.template.spec");
        var mounts = manifests.WorkerContainer().Arr("volumeMounts").OfType<JsonObject>().ToList();

        var tmp = Assert.Single(mounts, m => m.Str("mountPath") == "/tmp");
        var volume = Assert.Single(pod.Arr("volumes").OfType<JsonObject>(), v => v.Str("name") == tmp.Str("name"));
        Assert.NotNull(volume.At("emptyDir"));
        Assert.All(
            mounts.Where(m => m.Str("mountPath") != "/tmp"),
            m => Assert.True(m.Bool("readOnly"), $"mount {m.Str("mountPath")} must be read-only"));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Mounts_the_secrets_as_files_read_only(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var pod = manifests.Only("Deployment").Obj("spec.template.spec");

        var mount = Assert.Single(manifests.WorkerContainer().Arr("volumeMounts").OfType<JsonObject>(), m => m.Str("mountPath") == SecretsPath);
        Assert.True(mount.Bool("readOnly"), $"{SecretsPath} must be mounted read-only");
        var volume = Assert.Single(pod.Arr("volumes").OfType<JsonObject>(), v => v.Str("name") == mount.Str("name"));
        Assert.Equal("milestones-secrets", volume.Str("secret.secretName"));
        var files = volume.ArrOrEmpty("secret.items").OfType<JsonObject>().Select(i => i.Str("path")).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string?>(StringComparer.Ordinal) { "RabbitMqTransport__Pass", "MongoDb__ConnectionString" }, files);
        Assert.Null(mount.At("subPath"));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Shuts_down_within_the_grace_period_after_the_bus_has_stopped(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var pod = manifests.Only("Deployment").Obj("spec.template.spec");
        var environment = manifests.WorkerEnvironment();

        var grace = TimeSpan.FromSeconds(pod.Number("terminationGracePeriodSeconds"));
        var preStop = TimeSpan.FromSeconds(manifests.WorkerContainer().At("lifecycle.preStop.sleep.seconds")?.GetValue<long>() ?? 0);
        var host = ParseTimeSpan(environment, "HostOptions__ShutdownTimeout");
        var bus = ParseTimeSpan(environment, "Messaging__StopTimeout");

        Assert.True(grace > preStop + host, $"terminationGracePeriodSeconds {grace} must exceed preStop {preStop} + host shutdown {host}");
        Assert.True(host > bus, $"HostOptions__ShutdownTimeout {host} must exceed Messaging__StopTimeout {bus}");
        Assert.True(bus > TimeSpan.Zero, "Messaging__StopTimeout must be positive");
        Assert.Null(manifests.WorkerContainer().At("lifecycle.preStop.exec"));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Is_configured_for_production_transport_and_store(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var environment = manifests.WorkerEnvironment();

        // "Development" would select the in-memory transport and the embedded store.
        Assert.Equal("Production", environment["DOTNET_ENVIRONMENT"]);
        Assert.Equal("Production", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("RabbitMq", environment["Messaging__Transport"]);
        Assert.Equal("MongoDb", environment["Storage__Provider"]);
        Assert.Equal("milestones-worker", environment["OTEL_SERVICE_NAME"]);
        Assert.StartsWith("http", environment["OTEL_EXPORTER_OTLP_ENDPOINT"], StringComparison.Ordinal);
        Assert.Contains(environment["OTEL_EXPORTER_OTLP_PROTOCOL"], new[] { "grpc", "http/protobuf" });
        foreach (var key in new[] { "RabbitMqTransport__Host", "RabbitMqTransport__Port", "RabbitMqTransport__VHost", "RabbitMqTransport__User", "RabbitMqTransport__UseSsl", "MongoDb__DatabaseName" })
        {
            Assert.False(string.IsNullOrWhiteSpace(environment.GetValueOrDefault(key)), $"{key} must be set");
        }

        var tls = bool.Parse(environment["RabbitMqTransport__UseSsl"]);
        Assert.Equal(tls ? 5671 : 5672, Json.ParseInt(environment["RabbitMqTransport__Port"]));
        Assert.DoesNotContain(environment.Keys, k => k.EndsWith("__Pass", StringComparison.Ordinal) || k.EndsWith("ConnectionString", StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_production_connects_over_tls_everywhere_checking_certificates_against_the_cluster_ca()
    {
        var manifests = await toolchain.Overlay("prod");
        var environment = manifests.WorkerEnvironment();
        var pod = manifests.Only("Deployment").Obj("spec.template.spec");

        Assert.Equal("true", environment["RabbitMqTransport__UseSsl"]);
        Assert.Equal("5671", environment["RabbitMqTransport__Port"]);
        Assert.Equal("true", environment["MongoDb__UseTls"]);
        Assert.StartsWith("https://", environment["OTEL_EXPORTER_OTLP_ENDPOINT"], StringComparison.Ordinal);
        // The worker would refuse plaintext at start anyway; production must not carry the opt-out.
        Assert.False(environment.ContainsKey("Security__AllowInsecureTransport"), "the insecure-transport opt-out is for a local stack only");

        // Each client's CA bundle is a file of one read-only volume from the cluster CA's ConfigMap.
        var mounts = manifests.WorkerContainer().Arr("volumeMounts").OfType<JsonObject>().ToList();
        foreach (var key in new[] { "BrokerTls__CaFile", "MongoDb__TlsCaFile", "OTEL_EXPORTER_OTLP_CERTIFICATE" })
        {
            var file = environment.GetValueOrDefault(key);
            Assert.False(string.IsNullOrEmpty(file), $"{key} must name the CA bundle");
            var mount = Assert.Single(mounts, m => file!.StartsWith(m.Str("mountPath") + "/", StringComparison.Ordinal));
            Assert.True(mount.Bool("readOnly"), $"{mount.Str("mountPath")} must be read-only");
            var volume = Assert.Single(pod.Arr("volumes").OfType<JsonObject>(), v => v.Str("name") == mount.Str("name"));
            Assert.Equal("milestones-tls-ca", volume.Str("configMap.name"));
            var path = file![(mount.Str("mountPath")!.Length + 1)..];
            Assert.Contains(volume.Arr("configMap.items").OfType<JsonObject>(), item => item.Str("path") == path);
            Assert.NotEqual(true, volume.Bool("configMap.optional"));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Speaks_plaintext_only_with_the_explicit_opt_out(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var environment = manifests.WorkerEnvironment();

        // In Production the worker refuses plaintext AMQP at start unless Security__AllowInsecureTransport=true.
        var plaintext = !bool.Parse(environment["RabbitMqTransport__UseSsl"]);
        Assert.Equal(plaintext, environment.GetValueOrDefault("Security__AllowInsecureTransport") == "true");
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Connects_to_the_broker_as_the_workers_own_user_never_guest(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var environment = manifests.WorkerEnvironment();

        // The user deploy/rabbitmq/broker-permissions.sh creates; its password is the Secret's RabbitMqTransport__Pass.
        Assert.Equal("milestones-worker", environment["RabbitMqTransport__User"]);
        Assert.Equal("milestones", environment["RabbitMqTransport__VHost"]);
        Assert.False(environment.ContainsKey("Messaging__AllowDefaultBrokerCredentials"), "the default-credentials opt-out is for a local stack only");
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Sets_requests_and_limits(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var container = manifests.WorkerContainer();

        foreach (var field in new[] { "requests.cpu", "requests.memory", "limits.cpu", "limits.memory" })
        {
            Assert.False(string.IsNullOrEmpty(container.Str($"resources.{field}")), $"resources.{field} must be set");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Exposes_only_the_query_api_through_the_service(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var container = manifests.WorkerContainer();
        var service = manifests.Only("Service");

        var port = Assert.Single(service.Arr("spec.ports").OfType<JsonObject>());
        Assert.Equal(8080, ResolvePort(container, port.Req("targetPort")));
        var podLabels = manifests.Only("Deployment").Obj("spec.template.metadata.labels");
        Assert.All(service.Obj("spec.selector"), pair => Assert.Equal(pair.Value?.GetValue<string>(), podLabels[pair.Key]?.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(Overlays.All), MemberType = typeof(Overlays))]
    public async Task Uses_its_own_service_account_without_a_token(string overlay)
    {
        var manifests = await toolchain.Overlay(overlay);
        var name = manifests.Only("Deployment").Str("spec.template.spec.serviceAccountName");

        Assert.NotNull(name);
        Assert.False(manifests.Named("ServiceAccount", name).Bool("automountServiceAccountToken") ?? true);
    }

    /// <summary>A probe or Service port, by number or by the container port's name.</summary>
    static long ResolvePort(JsonObject container, JsonNode port)
    {
        if (port.GetValueKind() == System.Text.Json.JsonValueKind.Number)
        {
            return port.GetValue<long>();
        }

        var name = port.GetValue<string>();
        var named = Assert.Single(container.Arr("ports").OfType<JsonObject>(), p => p.Str("name") == name);
        return named.Number("containerPort");
    }

    static TimeSpan ParseTimeSpan(IReadOnlyDictionary<string, string> environment, string key)
    {
        Assert.True(environment.TryGetValue(key, out var text), $"{key} is not set in the worker's environment");
        Assert.True(TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value), $"{key}={text} is not a TimeSpan");
        return value;
    }
}
