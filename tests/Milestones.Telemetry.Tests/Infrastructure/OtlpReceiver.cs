using System.Text.Json;

namespace Milestones.Telemetry.Tests.Infrastructure;

/// <summary>
/// The Node OTLP/HTTP receiver under otlp-receiver/: a real endpoint that decodes the protobuf export requests with the
/// OTLP schema and reports every span, metric and log record it decoded (see receiver.js for the line format).
/// </summary>
sealed class OtlpReceiver : IAsyncDisposable
{
    readonly ChildProcess node;

    OtlpReceiver(ChildProcess node, int port)
    {
        this.node = node;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Starts the receiver (installing its locked dependencies first when they are missing); skips when there is no Node.js.</summary>
    public static async Task<OtlpReceiver> Start()
    {
        var directory = Paths.PathOf("tests/Milestones.Telemetry.Tests/otlp-receiver");
        if (FindOnPath("node") is null || FindOnPath("npm") is null)
        {
            Assert.Skip("Node.js (node and npm) is not installed: the OTLP receiver of this test is a Node script.");
        }
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "@opentelemetry", "otlp-transformer")))
        {
            await ChildProcess.Run("npm", ["ci", "--no-audit", "--no-fund"], directory, TimeSpan.FromMinutes(5));
        }
        var node = ChildProcess.Start("node", ["receiver.js", "0"], directory);
        int? port = null;
        await Poll.Until(() =>
        {
            port ??= node.Output.Select(Read).Select(line => line.TryGetProperty("listening", out var p) ? p.GetInt32() : (int?)null).FirstOrDefault(p => p is not null);
            return port is not null || node.HasExited;
        }, TimeSpan.FromSeconds(30), "the OTLP receiver to listen");
        if (port is null)
        {
            await node.DisposeAsync();
            Assert.Fail($"The OTLP receiver did not start:\n{node.Describe()}");
        }
        return new OtlpReceiver(node, port!.Value);
    }

    static JsonElement Read(string line) => JsonDocument.Parse(line).RootElement;

    /// <summary>Everything decoded so far of one signal: <c>span</c>, <c>metric</c> or <c>log</c>.</summary>
    public IReadOnlyList<JsonElement> Received(string signal) =>
        node.Output.Where(line => line.StartsWith('{')).Select(Read)
            .Where(item => item.TryGetProperty("signal", out var s) && s.GetString() == signal).ToList();

    /// <summary>Decoding errors the receiver reported.</summary>
    public IReadOnlyCollection<string> Errors => node.Errors;

    static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);

    public ValueTask DisposeAsync() => node.DisposeAsync();
}
