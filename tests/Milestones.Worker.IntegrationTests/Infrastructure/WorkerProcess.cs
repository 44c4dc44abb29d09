using System.Diagnostics;
using System.Net;
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
        var port = FreePort.Next();
        var start = WorkerLaunch.StartInfo();
        start.RedirectStandardInput = false;
        WorkerLaunch.Set(start, new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            // Probes on the app's own port: the production probe port 8081 would collide between worker processes.
            ["Health__Port"] = "0",
        });
        WorkerLaunch.Set(start, TestTokens.Settings());
        if (vhost is not null)
        {
            WorkerLaunch.Set(start, vhost.TransportSettings());
        }
        WorkerLaunch.Set(start, settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));

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
