using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>
/// The worker as a separate OS process: <c>dotnet Milestones.Worker.dll</c> from its build output, in the Production
/// environment, configured by environment variables (RabbitMQ + a SQLite file), with its HTTP port on loopback.
/// It can be killed (SIGKILL), terminated (SIGTERM) and restarted on the same store.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    WorkerProcess(Process process, int port, string name)
    {
        this.process = process;
        Name = name;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        Http.DefaultRequestHeaders.Authorization = TestTokens.Bearer();
    }

    public string Name { get; }

    public HttpClient Http { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Settings every worker process gets besides the broker's: short leases, stop timeout and retries.</summary>
    public static Dictionary<string, string> Defaults(string storePath) => new()
    {
        ["Storage__Provider"] = "Sqlite",
        ["Storage__Sqlite__Path"] = storePath,
        ["Messaging__StopTimeout"] = "00:00:10",
        ["Messaging__RetryMinInterval"] = "00:00:00.050",
        ["Messaging__RetryMaxInterval"] = "00:00:00.500",
        ["Messaging__RetryIntervalDelta"] = "00:00:00.050",
        ["Outbox__PollInterval"] = "00:00:00.200",
        ["Outbox__Lease"] = "00:00:02",
        // The catalog's 2023 due dates are long past: the watch would add overdue findings to every scenario's outbox.
        ["Schedule__Enabled"] = "false",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging__LogLevel__MassTransit"] = "Warning",
        // A crash test must not leave core dumps behind.
        ["DOTNET_DbgEnableMiniDump"] = "0",
    };

    public static WorkerProcess Start(string name, IDictionary<string, string> settings, TestVirtualHost? vhost)
    {
        if (!File.Exists(Paths.WorkerDll))
        {
            throw new FileNotFoundException("The worker is not built where the tests expect it", Paths.WorkerDll);
        }
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Paths.WorkerDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Paths.WorkerDll);
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("MILESTONES_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        // Probes on the app's own port: the production probe port 8081 would collide between worker processes.
        start.Environment["Health__Port"] = "0";
        foreach (var (key, value) in TestTokens.Settings())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        if (vhost is not null)
        {
            foreach (var (key, value) in vhost.TransportSettings())
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, port, name);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            if (output.Length < 200_000)
            {
                output.AppendLine(line);
            }
        }
    }

    public async Task<HttpStatusCode?> Probe(string path)
    {
        try
        {
            using var response = await Http.GetAsync(path, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public Task<HttpStatusCode?> Ready() => Probe(Milestones.ServiceDefaults.ServiceDefaultsExtensions.ReadyPath);

    public Task<HttpStatusCode?> Live() => Probe(Milestones.ServiceDefaults.ServiceDefaultsExtensions.LivePath);

    public Task WaitUntilReady(TimeSpan? timeout = null) =>
        Poll.Until(async () => AssertRunning() && await Ready() == HttpStatusCode.OK, timeout ?? TimeSpan.FromSeconds(60), () => $"{Name} never became ready");

    bool AssertRunning()
    {
        Assert.False(process.HasExited, $"{Name} exited with code {(process.HasExited ? process.ExitCode : 0)}:\n{Output}");
        return true;
    }

    /// <summary>SIGKILL: the process dies at once, holding whatever it had not acknowledged.</summary>
    public async Task Kill()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>SIGTERM, as Kubernetes sends before it kills a pod.</summary>
    public Task Terminate() => TestVirtualHost.Run("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task<bool> WaitForExit(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            process.WaitForExit(); // drains the redirected output
            return true;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Writes the worker's output to the test output, for the record of a failing test.</summary>
    public void Report() => TestContext.Current.TestOutputHelper?.WriteLine($"---- {Name} (pid {process.Id}) ----\n{Output}");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }
        process.Dispose();
    }
}
