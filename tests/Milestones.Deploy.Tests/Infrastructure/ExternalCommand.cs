using System.ComponentModel;
using System.Diagnostics;

namespace Milestones.Deploy.Tests.Infrastructure;

/// <summary>The outcome of one external command.</summary>
public sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Everything a failed assertion should show.</summary>
    public override string ToString() =>
        $"`{Command}` exited with {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}{Environment.NewLine}stderr:{Environment.NewLine}{StandardError}";
}

/// <summary>Runs the tools the deployment files are checked with (kubectl, node, npm, bash, promtool).</summary>
public static class ExternalCommand
{
    static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Whether <paramref name="tool"/> is an executable file on PATH.</summary>
    public static bool IsOnPath(string tool) => FindOnPath(tool) is not null;

    public static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
    }

    public static async Task<CommandResult> Run(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var start = ProcessStart.For(fileName, arguments, workingDirectory ?? Repository.Root);

        var display = string.Join(' ', [fileName, .. start.ArgumentList]);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot run `{display}`: {e.Message}. Is {fileName} installed?", e);
        }

        process.StandardInput.Close();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? DefaultTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{display}` did not finish within {timeout ?? DefaultTimeout} or was cancelled");
        }

        return new CommandResult(display, process.ExitCode, await stdout, await stderr);
    }
}
