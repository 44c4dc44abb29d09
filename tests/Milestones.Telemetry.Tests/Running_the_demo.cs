using Milestones.Telemetry.Tests.Infrastructure;

namespace Milestones.Telemetry.Tests;

/// <summary>The README's first command, <c>--demo</c>, as a process: it shows a completion and leaves nothing behind.</summary>
public sealed class Running_the_demo
{
    [Fact]
    public async Task The_demo_removes_its_throwaway_database_when_it_stops()
    {
        var temp = Directory.CreateTempSubdirectory("milestones-demo-test-");
        try
        {
            // The demo's file goes to the temp directory, which TMPDIR names for .NET on Linux.
            await using var worker = WorkerProcess.Start(new()
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["TMPDIR"] = temp.FullName,
            }, "--demo");
            await Poll.Until(() =>
            {
                Assert.False(worker.HasExited, $"the demo exited:\n{worker.Describe()}");
                return worker.Output.Any(line => line.StartsWith("Demo done", StringComparison.Ordinal));
            }, TimeSpan.FromSeconds(90), "the demo to finish its story");
            Assert.Single(temp.GetFiles("milestones-demo-*.db"));

            Assert.True(await worker.Terminate(TimeSpan.FromSeconds(30)), $"the demo did not stop on SIGTERM:\n{worker.Describe()}");

            Assert.Equal(0, worker.ExitCode);
            Assert.Empty(temp.GetFiles("milestones-demo-*"));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
