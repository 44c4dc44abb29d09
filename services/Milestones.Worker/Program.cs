using Milestones.ServiceDefaults;
using Milestones.Worker;
using Milestones.Worker.Api;
using Milestones.Worker.Demo;
using Milestones.Worker.Operations;

// "errors", "rebuild", "outbox": an ops subcommand on the worker's configuration, then exit (Operations/OpsCommandLine.cs).
if (OpsCommandLine.IsCommand(args))
{
    return await OpsCommandLine.Run(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddDemoSwitch(args);
var demo = builder.Configuration.IsDemo();

builder.AddApplicationServices();
builder.AddQueryApi();

var app = builder.Build();

app.UseProblemResponses();
app.MapDefaultEndpoints();
app.UseQueryApi();

app.Run();

if (demo)
{
    DemoDatabase.Delete();
}
return 0;

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
