using System.Diagnostics;
using System.Globalization;

namespace Milestones.Benchmarks;

/// <summary>CPU time of processes, from /proc: what a message costs the consumer and the broker.</summary>
public static class Cpu
{
    /// <summary>Clock ticks per second of /proc/*/stat (USER_HZ); 100 on Linux.</summary>
    const double TicksPerSecond = 100;

    /// <summary>User plus system CPU time of this process.</summary>
    public static TimeSpan Self()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>User plus system CPU time of a process (zero when it is gone).</summary>
    public static TimeSpan Of(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The broker's Erlang VM when the test command's private broker is used (its pid file), else null.</summary>
    public static Func<TimeSpan>? Broker()
    {
        var ctl = Environment.GetEnvironmentVariable("MILESTONES_TEST_RABBITMQ_CTL");
        if (string.IsNullOrEmpty(ctl))
        {
            return null;
        }
        var pidFile = Path.Combine(Path.GetDirectoryName(ctl)!, "rabbitmq.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid)
            ? () => Of(pid)
            : null;
    }
}
