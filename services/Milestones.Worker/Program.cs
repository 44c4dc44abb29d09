using Milestones.ServiceDefaults;
using Milestones.Worker;
using Milestones.Worker.Api;
using Milestones.Worker.Demo;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddDemoSwitch(args);
var demo = builder.Configuration.IsDemo();

builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapProjectEndpoints();

app.Run();

if (demo)
{
    DemoDatabase.Delete();
}

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
