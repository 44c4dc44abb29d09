using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Milestones.Worker.Tests;

/// <summary>ASP.NET Core's rate limiter in front of the API: a budget per caller (the token's subject), none on the probes.</summary>
public class Limiting_the_rate
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_caller_past_its_permits_gets_429_with_retry_after_while_other_callers_and_the_probes_go_on()
    {
        await using var provider = await TestIdentityProvider.Start();
        await using var worker = new WorkerFactory(provider.Settings(new()
        {
            ["Api:RateLimit:PermitLimit"] = "3",
            ["Api:RateLimit:Window"] = "00:10:00",
        }));
        await worker.Start();
        var busy = provider.Token(subject: "busy-client");

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await Authenticating_callers.Get(worker, "/projects/lize-city-terminal", busy);
            answers.Add(ok.StatusCode);
        }
        using var limited = await Authenticating_callers.Get(worker, "/projects/lize-city-terminal/events", busy);
        using var other = await Authenticating_callers.Get(worker, "/projects/lize-city-terminal", provider.Token(subject: "another-client"));
        var probes = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            probes.Add((await worker.CreateClient().GetAsync("/health/live", Cancel)).StatusCode);
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 600);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await limited.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.All(probes, p => Assert.Equal(HttpStatusCode.OK, p));
    }

    [Fact]
    public async Task Without_authentication_the_budget_is_per_client_address()
    {
        await using var worker = new WorkerFactory(new() { ["Api:RateLimit:PermitLimit"] = "2", ["Api:RateLimit:Window"] = "00:10:00" });
        await worker.Start();
        var client = worker.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.GetAsync("/projects", Cancel)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }
}
