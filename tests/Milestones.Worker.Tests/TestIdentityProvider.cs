using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Milestones.Worker.Tests;

/// <summary>
/// A token issuer the way production has one: an OpenID Connect discovery document and its key set served over HTTP
/// on a local Kestrel port, which the worker's JwtBearer handler fetches as it would from the real authority (plain
/// HTTP is allowed outside Production only). Tokens are signed with the provider's RSA key; <see cref="Token"/> can
/// also sign with another key or for another audience, to be refused.
/// </summary>
sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Audience = "milestones-api";

    readonly WebApplication app;
    readonly RsaSecurityKey key;

    TestIdentityProvider(WebApplication app, RsaSecurityKey key, string authority)
    {
        this.app = app;
        this.key = key;
        Authority = authority;
    }

    public string Authority { get; }

    /// <summary>Worker settings that trust this provider (Development or another environment that is not Production).</summary>
    public Dictionary<string, string?> Settings(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Api:Authentication:Enabled"] = "true",
            ["Api:Authentication:Authority"] = Authority,
            ["Api:Authentication:Audience"] = Audience,
            ["Api:Authentication:RequireHttpsMetadata"] = "false",
        };
        foreach (var (k, v) in more ?? [])
        {
            settings[k] = v;
        }
        return settings;
    }

    public static async Task<TestIdentityProvider> Start()
    {
        var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = Guid.NewGuid().ToString("N") };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = key.KeyId });
        jwk.Use = "sig";
        jwk.Alg = SecurityAlgorithms.RsaSha256;

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        string authority = string.Empty;
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = authority,
            ["jwks_uri"] = $"{authority}/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha256 },
        }));
        app.MapGet("/jwks", () => Results.Json(new Dictionary<string, object>
        {
            ["keys"] = new[]
            {
                new Dictionary<string, string> { ["kty"] = jwk.Kty, ["kid"] = jwk.Kid, ["use"] = jwk.Use, ["alg"] = jwk.Alg, ["n"] = jwk.N, ["e"] = jwk.E },
            },
        }));
        await app.StartAsync(TestContext.Current.CancellationToken);
        authority = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return new TestIdentityProvider(app, key, authority);
    }

    /// <summary>A token for <paramref name="subject"/>; by default signed by this provider, for the API's audience, valid for an hour.</summary>
    public string Token(string subject = "district-staff", string audience = Audience, DateTime? expires = null, SecurityKey? signedWith = null, string? issuer = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddHours(1);
        var notBefore = expiry < now ? expiry.AddHours(-1) : now.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Authority,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = subject },
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expiry,
            SigningCredentials = new SigningCredentials(signedWith ?? key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>A key the worker has never seen.</summary>
    public static SecurityKey ForeignKey() => new RsaSecurityKey(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
