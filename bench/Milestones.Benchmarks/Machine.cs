using System.Globalization;
using System.Runtime.InteropServices;

namespace Milestones.Benchmarks;

/// <summary>What the figures were measured on.</summary>
public static class Machine
{
    public static string Describe(string brokerVersion)
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name")?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memKb = ReadFirst("/proc/meminfo", "MemTotal:")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var memGiB = memKb is null ? "?" : (long.Parse(memKb, CultureInfo.InvariantCulture) / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture);
        var os = ReadFirst("/etc/os-release", "PRETTY_NAME=")?.Split('=', 2)[1].Trim('"') ?? RuntimeInformation.OSDescription;
        return $"{Environment.ProcessorCount} cores ({cpu}), {memGiB} GiB, {os}, kernel {Environment.OSVersion.Version}; "
            + $".NET {Environment.Version}; RabbitMQ {brokerVersion} on the same machine";
    }

    /// <summary>The 1, 5 and 15 minute load averages: the machine is shared, so they say how quiet it was.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    static string? ReadFirst(string path, string prefix)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
