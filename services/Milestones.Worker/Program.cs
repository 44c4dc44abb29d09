using Milestones.ServiceDefaults;
using Milestones.Worker;
using Milestones.Worker.Api;
using Milestones.Worker.Demo;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddDemoSwitch(args);

builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapProjectEndpoints();

app.Run();

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
