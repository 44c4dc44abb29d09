using System.Diagnostics;
using System.Text.Json;
using Milestones.Worker.Operations;

namespace Milestones.Worker.IntegrationTests.Operations;

/// <summary>The worker's ops subcommands run in process through their entry point: arguments in, exit status and both outputs back.</summary>
public static class OpsCli
{
    public static async Task<OpsResult> Run(IEnumerable<KeyValuePair<string, string?>> settings, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await OpsCommandLine.Run(args, stdout, stderr, settings, TestContext.Current.CancellationToken);
        var result = new OpsResult(exit, stdout.ToString(), stderr.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine($"$ {string.Join(' ', args)}\n{result}");
        return result;
    }

    /// <summary>The same, as a separate process: <c>dotnet Milestones.Worker.dll ARGS</c> with the settings as environment variables.</summary>
    public static async Task<OpsResult> RunProcess(IEnumerable<KeyValuePair<string, string?>> settings, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Paths.WorkerDirectory };
        start.ArgumentList.Add(Paths.WorkerDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var result = new OpsResult(process.ExitCode, await stdout, await stderr);
        TestContext.Current.TestOutputHelper?.WriteLine($"$ dotnet Milestones.Worker.dll {string.Join(' ', args)}\n{result}");
        return result;
    }

    /// <summary>What the CLI needs beside the broker: the shipped catalog (or another) and a SQLite store.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> StoreSettings(string storePath, string? catalog = null) =>
    [
        new("Storage:Provider", "Sqlite"),
        new("Storage:Sqlite:Path", storePath),
        new("Catalog:Path", catalog ?? Path.Combine(Paths.WorkerDirectory, "catalog", "fengtai-2023.json")),
    ];
}

public sealed record OpsResult(int ExitCode, string Output, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Output).RootElement;

    /// <summary>The messages of one queue in an <c>errors</c> JSON result, in order.</summary>
    public IReadOnlyList<JsonElement> Messages(string queue) =>
        Json.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == queue).GetProperty("messages").EnumerateArray().ToList();

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
