using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>
/// The Production workers' query API trusts a key of the test run's: its public half is written as a JSON Web Key Set
/// file (<c>Api:Authentication:SigningKeysPath</c>, with an issuer named), the documented way to configure keys where
/// the worker cannot reach an identity provider, and the test clients send tokens signed with the private half.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "https://login.example.org/realms/milestones-integration-tests";
    public const string Audience = "milestones-api";

    static readonly RSA Rsa = RSA.Create(2048);
    static readonly RsaSecurityKey Key = new(Rsa) { KeyId = "integration-tests" };
    static readonly Lazy<string> KeySetFile = new(WriteKeySet);

    /// <summary>Worker settings (<c>Section:Key</c> form) that trust the key.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Api:Authentication:Audience", Audience),
        new("Api:Authentication:Issuer", Issuer),
        new("Api:Authentication:SigningKeysPath", KeySetFile.Value),
    ];

    /// <summary>An Authorization header with a token valid for a day.</summary>
    public static AuthenticationHeaderValue Bearer()
    {
        var now = DateTime.UtcNow;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "integration-tests" },
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddDays(1),
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
        });
        return new AuthenticationHeaderValue("Bearer", token);
    }

    static string WriteKeySet()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Rsa.ExportParameters(false)) { KeyId = Key.KeyId });
        var set = new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = SecurityAlgorithms.RsaSha256, n = jwk.N, e = jwk.E } } };
        var path = Path.Combine(Path.GetTempPath(), "milestones-tests", $"jwks-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(set));
        return path;
    }
}
