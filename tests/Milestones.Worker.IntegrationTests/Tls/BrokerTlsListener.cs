namespace Milestones.Worker.IntegrationTests.Tls;

/// <summary>
/// An AMQPS listener opened on the running test broker for one test, with the server certificate that test chose, on a
/// free loopback port: <c>rabbit_networking:start_ssl_listener</c> through <c>rabbitmqctl eval</c>, so the broker is
/// neither restarted nor reconfigured, and tests with different certificates never share a listener. Closed on dispose.
/// </summary>
public sealed class BrokerTlsListener : IAsyncDisposable
{
    BrokerTlsListener(int port) => Port = port;

    public int Port { get; }

    /// <param name="server">The certificate and key the broker presents.</param>
    /// <param name="clientCa">When set, the broker requires a client certificate issued by this CA (mutual TLS).</param>
    public static async Task<BrokerTlsListener> Open(IssuedCertificate server, CertificateAuthority? clientCa = null)
    {
        BrokerEnvironment.RequireControl();
        var port = FreePort.Next();
        var peer = clientCa is null
            ? "{verify, verify_none}, {fail_if_no_peer_cert, false}"
            : $"{{cacertfile, {Quote(clientCa.CertificateFile)}}}, {{verify, verify_peer}}, {{fail_if_no_peer_cert, true}}";
        var options = $"[{{certfile, {Quote(server.CertificateFile)}}}, {{keyfile, {Quote(server.KeyFile)}}}, {peer}]";
        var result = await TestVirtualHost.Ctl("eval",
            $"rabbit_networking:ensure_ssl(), rabbit_networking:start_ssl_listener({{\"127.0.0.1\", {port}}}, {options}, 1).");
        Assert.True(result.Trim() == "ok", $"the broker did not open a TLS listener on port {port}: {result}");
        return new BrokerTlsListener(port);
    }

    public async ValueTask DisposeAsync() =>
        await TestVirtualHost.Ctl("eval", $"rabbit_networking:stop_tcp_listener({{\"127.0.0.1\", {Port}}}).");

    /// <summary>TLS details of the connections to a virtual host, as the broker sees them: "ssl protocol peer-certificate-subject" per line.</summary>
    public static async Task<IReadOnlyList<string>> Connections(string vhost) =>
        (await TestVirtualHost.Ctl("-q", "list_connections", "--no-table-headers", "vhost", "ssl", "ssl_protocol", "peer_cert_subject"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith(vhost + "\t", StringComparison.Ordinal))
            .Select(line => line[(vhost.Length + 1)..])
            .ToList();

    static string Quote(string path) => $"\"{path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
