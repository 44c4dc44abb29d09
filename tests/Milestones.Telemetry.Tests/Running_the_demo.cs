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
                ["Health__Port"] = "0",
            }, "--demo");
            await Poll.Until(() =>
            {
                Assert.False(worker.HasExited, $"the demo exited:\n{worker.Describe()}");
                return worker.Output.Any(line => line.StartsWith("Demo done", StringComparison.Ordinal));
            }, TimeSpan.FromSeconds(90), "the demo to finish its story");
            Assert.Single(temp.GetFiles("milestones-demo-*.db"));
            await The_api_answers_the_readmes_plain_requests(worker);

            Assert.True(await worker.Terminate(TimeSpan.FromSeconds(30)), $"the demo did not stop on SIGTERM:\n{worker.Describe()}");

            Assert.Equal(0, worker.ExitCode);
            Assert.Empty(temp.GetFiles("milestones-demo-*"));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    /// <summary>The README's <c>curl</c> lines, without a token: in Development the demo's API is open.</summary>
    static async Task The_api_answers_the_readmes_plain_requests(ChildProcess worker)
    {
        var listening = worker.Output.Select(line => System.Text.RegularExpressions.Regex.Match(line, @"Now listening on: (http://\S+)"))
            .First(m => m.Success).Groups[1].Value;
        using var http = new HttpClient { BaseAddress = new Uri(listening) };
        var cancel = TestContext.Current.CancellationToken;

        var timeline = await http.GetStringAsync("/projects/subway-16-south/events", cancel);
        var newest = await http.GetStringAsync("/projects/subway-16-south/events?order=newest&limit=1", cancel);

        Assert.Contains("\"milestoneCode\":\"opened\"", timeline, StringComparison.Ordinal);
        Assert.Contains("\"events\":[", newest, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/projects/subway-16-south", cancel)).StatusCode);
    }
}
