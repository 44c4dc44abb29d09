using System.Collections.Concurrent;
using System.Diagnostics;

namespace Milestones.Telemetry.Tests.Infrastructure;

/// <summary>A process the test starts, whose output lines are collected as they come; killed with its children on dispose.</summary>
sealed class ChildProcess : IAsyncDisposable
{
    readonly Process process;

    ChildProcess(Process process) => this.process = process;

    public ConcurrentQueue<string> Output { get; } = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    public bool HasExited => process.HasExited;

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string?>? environment = null)
    {
        var start = ProcessStart.For(fileName, arguments, workingDirectory);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }
        return Start(start);
    }

    /// <summary>Starts <paramref name="start"/> (its output and error redirected) and collects its output.</summary>
    public static ChildProcess Start(ProcessStartInfo start)
    {
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.Output.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.Errors.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a command to its end; throws with its output when it fails.</summary>
    public static async Task Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan within)
    {
        await using var child = Start(fileName, arguments, workingDirectory);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(within);
        await child.process.WaitForExitAsync(timeout.Token);
        if (child.process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {child.process.ExitCode}:\n{child.Describe()}");
        }
    }

    /// <summary>What the process printed, for a failure message.</summary>
    /// <summary>Sends SIGTERM, as Kubernetes stops a pod, and waits for the exit; false when it did not exit in time.</summary>
    public async Task<bool> Terminate(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public int ExitCode => process.ExitCode;

    public string Describe() => $"stdout:\n{string.Join('\n', Output.TakeLast(60))}\nstderr:\n{string.Join('\n', Errors.TakeLast(60))}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        process.Dispose();
    }
}
