using System.ComponentModel.DataAnnotations;

namespace Milestones.ServiceDefaults;

/// <summary>
/// Where the Kubernetes probes are served, bound from <c>Health</c>: <code>{ "Health": { "Port": 8081 } }</code>
/// </summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>
    /// The port of the probes (<c>/health/startup</c>, <c>/health/live</c>, <c>/health/ready</c>), listened on besides the
    /// application's own URLs (<c>ASPNETCORE_HTTP_PORTS</c> / <c>ASPNETCORE_URLS</c>, 8080 in containers). The probes answer
    /// only there and the query API never does, so the probe port can stay off the Service and the ingress. Default 8081.
    /// 0 serves the probes on the application's port instead (the Development setting: nothing more to set up or to collide).
    /// </summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8081;
}
