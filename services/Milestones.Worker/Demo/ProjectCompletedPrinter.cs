using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using MassTransit;
using Milestones.Contracts;

namespace Milestones.Worker.Demo;

/// <summary>A downstream subscriber for the demo: prints every ProjectCompleted that the service publishes.</summary>
public sealed class ProjectCompletedPrinter(DemoConsole console) : IConsumer<ProjectCompleted>
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public Task Consume(ConsumeContext<ProjectCompleted> context)
    {
        console.Write($"""

            ==> ProjectCompleted received (message id {context.MessageId})
            {JsonSerializer.Serialize(context.Message, Json)}

            """);
        return Task.CompletedTask;
    }
}

/// <summary>Where the demo writes what a person watching should read; standard output by default.</summary>
public class DemoConsole
{
    public virtual void Write(string text) => Console.Out.WriteLine(text);
}
