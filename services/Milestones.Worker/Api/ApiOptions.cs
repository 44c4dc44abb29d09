using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Milestones.Worker.Api;

/// <summary>
/// Who may call the query API, bound from <c>Api:Authentication</c>:
/// <code>{ "Api": { "Authentication": { "Authority": "https://login.example.org/realms/fengtai", "Audience": "milestones-api" } } }</code>
/// Every call needs a JWT bearer token whose signature, issuer, audience and lifetime check out. The keys come from the
/// <see cref="Authority"/>'s OpenID Connect discovery document (and are refreshed from it), or, where the service cannot
/// reach the identity provider, from a JSON Web Key Set file (<see cref="SigningKeysPath"/>) with the
/// <see cref="Issuer"/> named.
/// </summary>
public sealed class ApiAuthenticationOptions
{
    public const string SectionName = "Api:Authentication";

    /// <summary>
    /// Whether a token is required. Default true. False (anyone may read) is accepted only in the Development
    /// environment, where <c>appsettings.Development.json</c> sets it so that the demo answers plain <c>curl</c>; any
    /// other environment refuses to start with it.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The token issuer whose discovery document (<c>/.well-known/openid-configuration</c>) gives the signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience (<c>aud</c>) a token must carry. Required when <see cref="Enabled"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Whether the discovery document must be fetched over HTTPS. Default true; false (an identity provider on plain
    /// HTTP, as the tests run one) is refused in Production.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>With <see cref="SigningKeysPath"/> instead of an authority: the issuer (<c>iss</c>) a token must carry.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// A JSON Web Key Set file (<c>{"keys": [...]}</c>, public keys only) to validate signatures with, instead of an
    /// authority's discovery document; read once at start (relative paths against the content root). For an identity
    /// provider the service cannot reach; a key rotation then needs a new file and a restart.
    /// </summary>
    public string? SigningKeysPath { get; set; }
}

/// <summary>
/// How much one caller may ask, bound from <c>Api:RateLimit</c>: <code>{ "Api": { "RateLimit": { "PermitLimit": 300, "Window": "00:01:00" } } }</code>
/// Each caller (the token's subject, or the client address when the API is open) gets <see cref="PermitLimit"/>
/// requests per <see cref="Window"/> (a fixed window); beyond that the API answers 429 with <c>Retry-After</c>. The
/// probes are never limited.
/// </summary>
public sealed class ApiRateLimitOptions
{
    public const string SectionName = "Api:RateLimit";

    /// <summary>Requests per window per caller. Default 300.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 300;

    /// <summary>The window. Default one minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Refuses, at start, an API that would be open or trust keys fetched in clear outside Development.</summary>
public sealed class ApiAuthenticationOptionsValidator(IHostEnvironment environment) : IValidateOptions<ApiAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"Api:Authentication:Enabled=false is accepted only in the Development environment, not in {environment.EnvironmentName}: the query API requires a token.");
        }
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Api:Authentication:Audience is required: the audience a token must be issued for.");
        }
        var hasAuthority = !string.IsNullOrWhiteSpace(options.Authority);
        var hasKeys = !string.IsNullOrWhiteSpace(options.SigningKeysPath);
        if (hasAuthority == hasKeys)
        {
            failures.Add("Set either Api:Authentication:Authority (keys from its discovery document) or Api:Authentication:SigningKeysPath with Issuer (a JSON Web Key Set file), not both or neither.");
        }
        if (hasAuthority && !Uri.TryCreate(options.Authority, UriKind.Absolute, out _))
        {
            failures.Add("Api:Authentication:Authority must be an absolute URL.");
        }
        if (hasAuthority && !options.RequireHttpsMetadata && environment.IsProduction())
        {
            failures.Add("Api:Authentication:RequireHttpsMetadata=false is refused in Production: signing keys fetched over plain HTTP can be replaced on the way.");
        }
        if (hasKeys)
        {
            if (string.IsNullOrWhiteSpace(options.Issuer))
            {
                failures.Add("Api:Authentication:Issuer is required with SigningKeysPath.");
            }
            if (SigningKeys.Read(environment, options.SigningKeysPath!) is { Error: { } error })
            {
                failures.Add(error);
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The public keys of a JSON Web Key Set file.</summary>
static class SigningKeys
{
    public static (IReadOnlyList<SecurityKey> Keys, string? Error) Read(IHostEnvironment environment, string path)
    {
        var full = Path.Combine(environment.ContentRootPath, path);
        try
        {
            var keys = new JsonWebKeySet(File.ReadAllText(full)).GetSigningKeys();
            return keys.Count == 0
                ? ([], $"Api:Authentication:SigningKeysPath {full} holds no signing key.")
                : (keys.ToList(), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Text.Json.JsonException)
        {
            return ([], $"Api:Authentication:SigningKeysPath {full} is not a readable JSON Web Key Set ({e.GetType().Name}).");
        }
    }
}
