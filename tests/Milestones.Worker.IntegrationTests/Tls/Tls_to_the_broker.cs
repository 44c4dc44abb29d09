using System.Globalization;
using System.Net;
using Milestones.Worker.IntegrationTests.Infrastructure;

namespace Milestones.Worker.IntegrationTests.Tls;

/// <summary>
/// The worker process, in Production without the insecure-transport opt-out, connecting to the real test broker over
/// TLS: each test opens an AMQPS listener with the server certificate it is about, issued by a CA this class made with
/// openssl. A certificate the worker can trust connects and a message is consumed end to end; a certificate from
/// another CA, an expired one and one for another host are each refused, the worker logs which check failed for which
/// host, and readiness stays 503 while the process stays up.
/// </summary>
[Collection(WorkerProcesses.Name)]
public sealed class Tls_to_the_broker(TestVirtualHost vhost, TestCertificates certificates)
    : ProcessScenario(vhost), IClassFixture<TestVirtualHost>, IClassFixture<TestCertificates>
{
    const string Refused = $"TLS to RabbitMQ at {TestCertificates.BrokerName} refused: ";

    [Fact]
    public async Task A_certificate_from_the_configured_ca_connects_and_the_worker_consumes_over_it()
    {
        await Connect();
        await using var listener = await BrokerTlsListener.Open(certificates.Valid);
        var worker = StartTlsWorker("worker (valid certificate)", listener);

        await worker.WaitUntilReady(TimeSpan.FromSeconds(60));
        var e = Events.Valid();
        await Client.PublishJson(Queues.InputExchange, e, e.EventId.ToString());

        await Poll.Until(() => Store.HasEvent(e.EventId), TimeSpan.FromSeconds(20), () => "the event published was not recorded by the worker connected over TLS");
        // The worker's connections are TLS ones (this test's own client uses the plaintext port).
        var connections = await BrokerTlsListener.Connections(VirtualHost.VHost);
        Assert.Contains(connections, c => c.StartsWith("true\ttlsv1.", StringComparison.Ordinal));
        Assert.DoesNotContain(worker.Output, Refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused_and_the_worker_stays_not_ready()
    {
        await using var listener = await BrokerTlsListener.Open(certificates.FromAnotherCa);
        var worker = StartTlsWorker("worker (certificate from another CA)", listener);

        await AssertRefused(worker, "the certificate is not issued by a trusted CA (issuer CN=Some Other CA)");
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_and_the_worker_stays_not_ready()
    {
        await using var listener = await BrokerTlsListener.Open(certificates.Expired);
        var worker = StartTlsWorker("worker (expired certificate)", listener);

        await AssertRefused(worker, "the certificate expired on ");
    }

    [Fact]
    public async Task A_certificate_for_another_host_is_refused_and_the_worker_stays_not_ready()
    {
        await using var listener = await BrokerTlsListener.Open(certificates.OtherHost);
        var worker = StartTlsWorker("worker (certificate for another host)", listener);

        await AssertRefused(worker, $"host name mismatch: the certificate is for other-broker.example, not {TestCertificates.BrokerName}");
    }

    [Fact]
    public async Task With_mutual_tls_the_worker_connects_with_its_client_certificate_and_not_without()
    {
        await Connect();
        await using var listener = await BrokerTlsListener.Open(certificates.Valid, clientCa: certificates.Ca);
        var without = StartTlsWorker("worker (no client certificate)", listener);
        var with = StartTlsWorker("worker (client certificate)", listener, new()
        {
            ["BrokerTls__ClientCertificateFile"] = certificates.Client.CertificateFile,
            ["BrokerTls__ClientKeyFile"] = certificates.Client.KeyFile,
        });

        await with.WaitUntilReady(TimeSpan.FromSeconds(60));
        var e = Events.Valid();
        await Client.PublishJson(Queues.InputExchange, e, e.EventId.ToString());
        await Poll.Until(() => Store.HasEvent(e.EventId), TimeSpan.FromSeconds(20), () => "the event was not recorded by the worker with its client certificate");

        Assert.Contains(await BrokerTlsListener.Connections(VirtualHost.VHost), c => c.StartsWith("true\ttlsv1.", StringComparison.Ordinal) && c.Contains("CN=milestones-worker", StringComparison.Ordinal));
        // The broker refuses the handshake of the one without: never ready.
        await AssertStaysNotReady(without);
    }

    /// <summary>A worker in Production that must use TLS (the opt-out the plaintext tests use is turned off) to the listener, trusting this class's CA.</summary>
    WorkerProcess StartTlsWorker(string name, BrokerTlsListener listener, Dictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["RabbitMqTransport__Port"] = listener.Port.ToString(CultureInfo.InvariantCulture),
            ["RabbitMqTransport__UseSsl"] = "true",
            ["BrokerTls__ServerName"] = TestCertificates.BrokerName,
            ["BrokerTls__CaFile"] = certificates.Ca.CertificateFile,
            ["Security__AllowInsecureTransport"] = "false",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return StartWorker(name, settings);
    }

    async Task AssertRefused(WorkerProcess worker, string reason)
    {
        BrokerEnvironment.RequireControl();
        await Poll.Until(() => !worker.HasExited && worker.Output.Contains(Refused + reason, StringComparison.Ordinal), TimeSpan.FromSeconds(60),
            () => $"no log line '{Refused}{reason}…' from the worker:\n{worker.Output}");
        Mark("refusal logged");
        await AssertStaysNotReady(worker);
    }

    static async Task AssertStaysNotReady(WorkerProcess worker)
    {
        await Poll.Until(async () => await worker.Live() == HttpStatusCode.OK, TimeSpan.FromSeconds(30), () => "the worker never answered its liveness probe");
        for (var i = 0; i < 5; i++)
        {
            Assert.False(worker.HasExited, worker.Output);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await worker.Ready());
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }
    }
}
