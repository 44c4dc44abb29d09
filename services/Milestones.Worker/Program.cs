using Milestones.ServiceDefaults;
using Milestones.Worker;
using Milestones.Worker.Api;
using Milestones.Worker.Demo;

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

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
