using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Milestones.Worker.Api;

/// <summary>
/// The query API's surroundings: problem details for every error, JWT bearer authentication, a rate limit per caller
/// and the OpenAPI document. The probes (ServiceDefaults) are outside all of it: anonymous, unlimited, on their own port.
/// </summary>
public static class QueryApiExtensions
{
    /// <summary>The rate-limiting policy of the API's endpoints.</summary>
    public const string RateLimitPolicy = "query-api";

    /// <summary>Where the OpenAPI document is served (anonymous) and the name of its checked-in copy.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    public static IHostApplicationBuilder AddQueryApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddProblemDetails();
        // A query string that does not bind (limit=abc) is a 400 with problem details in every environment, not an
        // exception (the Development default) that the exception handler would turn into a 500.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);

        services.AddOptions<ApiAuthenticationOptions>().BindConfiguration(ApiAuthenticationOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiAuthenticationOptions>, ApiAuthenticationOptionsValidator>();
        services.AddOptions<ApiRateLimitOptions>().BindConfiguration(ApiRateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        var authentication = services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        if (IsAuthenticationEnabled(builder.Configuration))
        {
            authentication.AddJwtBearer();
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<IOptions<ApiAuthenticationOptions>, IHostEnvironment>((jwt, api, environment) => ConfigureBearer(jwt, api.Value, environment));
        }
        services.AddAuthorization();

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // The body is written by the status-code pages (problem details); the limiter says when to come back.
            limiter.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(Caller(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.PermitLimit,
                    Window = options.Window,
                    QueueLimit = 0,
                });
            });
        });

        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Milestones query API",
                Version = "v1",
                Description = "Where Fengtai District's key projects stand: the catalog's projects, their milestones and their timelines. " +
                    "Every call needs a JWT bearer token for the configured audience; errors are RFC 9457 problem details.",
            };
            // The document describes the API wherever it is deployed: no server address of the instance that generated it.
            document.Servers = [];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[JwtBearerDefaults.AuthenticationScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT from the configured authority, for the configured audience.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(JwtBearerDefaults.AuthenticationScheme, document)] = [] }];
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>
    /// Problem details for every error the host answers: an exception is a 500 with a title only (its message and stack
    /// stay in the log), and an error status without a body (no route, 401, 403, 429, a query that does not bind) gets one.
    /// Comes first in the pipeline, so that it also covers the probe port's 404s.
    /// </summary>
    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        return app;
    }

    /// <summary>
    /// Authentication, the rate limit (after authentication, so that it can tell callers apart; before authorization,
    /// so that refused calls count too), authorization, and the endpoints: the projects (a token required unless
    /// authentication is off in Development) and the OpenAPI document (anonymous). Both are rate limited.
    /// </summary>
    public static WebApplication UseQueryApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        var projects = app.MapProjectEndpoints().RequireRateLimiting(RateLimitPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        var export = app.MapExportEndpoints().RequireRateLimiting(RateLimitPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        if (app.Services.GetRequiredService<IOptions<ApiAuthenticationOptions>>().Value.Enabled)
        {
            projects.RequireAuthorization();
            export.RequireAuthorization();
        }
        app.MapOpenApi(OpenApiPath).RequireRateLimiting(RateLimitPolicy);
        return app;
    }

    static bool IsAuthenticationEnabled(IConfiguration configuration) =>
        (configuration.GetSection(ApiAuthenticationOptions.SectionName).Get<ApiAuthenticationOptions>() ?? new ApiAuthenticationOptions()).Enabled;

    static void ConfigureBearer(JwtBearerOptions jwt, ApiAuthenticationOptions api, IHostEnvironment environment)
    {
        // Claims keep their JWT names (sub, scope), which the rate limit and the logs use.
        jwt.MapInboundClaims = false;
        jwt.Audience = api.Audience;
        jwt.TokenValidationParameters.NameClaimType = "sub";
        if (!string.IsNullOrWhiteSpace(api.Authority))
        {
            jwt.Authority = api.Authority;
            jwt.RequireHttpsMetadata = api.RequireHttpsMetadata;
        }
        else if (!string.IsNullOrWhiteSpace(api.SigningKeysPath))
        {
            jwt.TokenValidationParameters.ValidIssuer = api.Issuer;
            jwt.TokenValidationParameters.IssuerSigningKeys = SigningKeys.Read(environment, api.SigningKeysPath).Keys;
        }
    }

    /// <summary>The rate limit's partition: the token's subject, else the client's address.</summary>
    static string Caller(HttpContext context) =>
        context.User.FindFirstValue("sub") is { Length: > 0 } subject
            ? $"sub:{subject}"
            : $"ip:{context.Connection.RemoteIpAddress}";
}
