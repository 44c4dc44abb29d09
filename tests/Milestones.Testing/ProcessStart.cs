using System.Diagnostics;

namespace Milestones.Testing;

/// <summary>How the tests start a tool or the worker: no shell, every stream redirected. Needs nothing of xunit.</summary>
public static class ProcessStart
{
    /// <summary><paramref name="fileName"/> with <paramref name="arguments"/> (each one argument, never split by a shell) in <paramref name="workingDirectory"/>.</summary>
    public static ProcessStartInfo For(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }
}
