using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Milestones.Worker.Tests;

/// <summary>
/// The query API behind the real JwtBearer handler, which fetches the signing keys from a local identity provider's
/// discovery document, as it would from the production authority.
/// </summary>
public class Authenticating_callers
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Answers_401_with_problem_details_and_a_bearer_challenge_without_a_token()
    {
        await using var provider = await TestIdentityProvider.Start();
        await using var worker = new WorkerFactory(provider.Settings());
        await worker.Start();

        using var response = await worker.CreateClient().GetAsync("/projects/lize-city-terminal", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Answers_200_to_a_token_the_authority_signed_for_the_api()
    {
        await using var provider = await TestIdentityProvider.Start();
        await using var worker = new WorkerFactory(provider.Settings());
        await worker.Start();

        foreach (var path in new[] { "/projects", "/projects/lize-city-terminal", "/projects/lize-city-terminal/events" })
        {
            using var response = await Get(worker, path, provider.Token());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    public static TheoryData<string> Refused => ["another key", "another audience", "expired", "another issuer", "not a token"];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Refuses_a_token_that_does_not_check_out(string what)
    {
        await using var provider = await TestIdentityProvider.Start();
        await using var worker = new WorkerFactory(provider.Settings());
        await worker.Start();
        var token = what switch
        {
            "another key" => provider.Token(signedWith: TestIdentityProvider.ForeignKey()),
            "another audience" => provider.Token(audience: "some-other-api"),
            // Well beyond the handler's five minutes of clock skew.
            "expired" => provider.Token(expires: DateTime.UtcNow.AddHours(-1)),
            "another issuer" => provider.Token(issuer: "https://login.example.org/someone-else"),
            _ => "eyJhbGciOiJub25lIn0.e30.",
        };

        using var response = await Get(worker, "/projects/lize-city-terminal/events", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Leaves_the_probes_and_the_openapi_document_anonymous()
    {
        await using var provider = await TestIdentityProvider.Start();
        await using var worker = new WorkerFactory(provider.Settings());
        await worker.Start();
        var client = worker.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/projects", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Validates_tokens_with_a_key_set_file_and_issuer_instead_of_an_authority()
    {
        await using var provider = await TestIdentityProvider.Start();
        var jwks = Path.Combine(Path.GetTempPath(), "milestones-tests", $"{Guid.NewGuid():N}.jwks.json");
        Directory.CreateDirectory(Path.GetDirectoryName(jwks)!);
        using (var http = new HttpClient())
        {
            await File.WriteAllTextAsync(jwks, await http.GetStringAsync($"{provider.Authority}/jwks", Cancel), Cancel);
        }
        // The provider is stopped: the keys can only come from the file.
        var issuer = provider.Authority;
        var good = provider.Token();
        var foreign = provider.Token(signedWith: TestIdentityProvider.ForeignKey());
        var otherIssuer = provider.Token(issuer: "https://login.example.org/someone-else");
        await provider.DisposeAsync();
        await using var worker = new WorkerFactory(new()
        {
            ["Api:Authentication:Enabled"] = "true",
            ["Api:Authentication:Audience"] = TestIdentityProvider.Audience,
            ["Api:Authentication:Issuer"] = issuer,
            ["Api:Authentication:SigningKeysPath"] = jwks,
        });
        await worker.Start();

        Assert.Equal(HttpStatusCode.OK, (await Get(worker, "/projects", good)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(worker, "/projects", foreign)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(worker, "/projects", otherIssuer)).StatusCode);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Refuses_to_start_with_authentication_off_outside_development(string environment)
    {
        await using var worker = Outside(environment, new() { ["Api:Authentication:Enabled"] = "false" });

        var error = Assert.Throws<OptionsValidationException>(() => worker.Server);

        Assert.Contains($"Api:Authentication:Enabled=false is accepted only in the Development environment, not in {environment}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_to_start_in_production_with_keys_fetched_over_plain_http_or_without_an_audience()
    {
        await using var plain = Outside("Production", new()
        {
            ["Api:Authentication:Authority"] = "http://login.example.org/realms/fengtai",
            ["Api:Authentication:RequireHttpsMetadata"] = "false",
        });
        await using var noAudience = Outside("Production", new() { ["Api:Authentication:Audience"] = "" });

        Assert.Contains("Api:Authentication:RequireHttpsMetadata=false is refused in Production", Assert.Throws<OptionsValidationException>(() => plain.Server).Message, StringComparison.Ordinal);
        Assert.Contains("Api:Authentication:Audience is required", Assert.Throws<OptionsValidationException>(() => noAudience.Server).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The worker outside Development with everything else valid (a broker user of its own, SQLite), so that the
    /// setting under test is the only one refused; nothing listens on the broker port, and nothing connects before the
    /// options are validated.
    /// </summary>
    static WorkerFactory Outside(string environment, Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Storage:Provider"] = "Sqlite",
            ["Health:Port"] = "0",
            ["RabbitMqTransport:Host"] = "127.0.0.1",
            ["RabbitMqTransport:Port"] = "1",
            ["RabbitMqTransport:User"] = "milestones-worker",
            ["RabbitMqTransport:Pass"] = "s3cret",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }
        return new WorkerFactory(all, environment: environment);
    }

    internal static async Task<HttpResponseMessage> Get(WorkerFactory worker, string path, string token, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        return await worker.CreateClient().SendAsync(request, Cancel);
    }
}
