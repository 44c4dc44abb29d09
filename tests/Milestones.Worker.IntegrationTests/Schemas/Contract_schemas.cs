namespace Milestones.Worker.IntegrationTests.Schemas;

/// <summary>
/// The JSON Schemas published for non-.NET publishers and subscribers match the contract types. A contract changed
/// without its schema regenerated fails here; regenerate with
/// <c>MILESTONES_UPDATE_SCHEMAS=1 dotnet test tests/Milestones.Worker.IntegrationTests --filter Contract_schemas</c>
/// and commit the files (and keep changes additive: see contracts/Milestones.Contracts/README.md).
/// </summary>
public sealed class Contract_schemas
{
    const string HowToRegenerate =
        "Regenerate with: MILESTONES_UPDATE_SCHEMAS=1 dotnet test tests/Milestones.Worker.IntegrationTests --filter Contract_schemas " +
        "(then review and commit contracts/Milestones.Contracts/schemas; contract changes must be additive, see the contracts README).";

    static bool Update => Environment.GetEnvironmentVariable("MILESTONES_UPDATE_SCHEMAS") == "1";

    public static TheoryData<string> Messages => [.. ContractSchemas.Messages.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Checked_in_schema_matches_the_contract(string message)
    {
        var type = ContractSchemas.Messages.Single(t => t.Name == message);
        var path = Path.Combine(ContractSchemas.Directory, ContractSchemas.FileName(type));
        var generated = ContractSchemas.Generate(type);
        if (Update)
        {
            Directory.CreateDirectory(ContractSchemas.Directory);
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"{path} is missing. {HowToRegenerate}");
        var checkedIn = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(checkedIn == generated, $"{path} does not match the {message} contract. {HowToRegenerate}\nGenerated:\n{generated}");
    }

    [Fact]
    public void Every_schema_file_belongs_to_a_contract()
    {
        var expected = ContractSchemas.Messages.Select(ContractSchemas.FileName).ToHashSet();
        var files = Directory.Exists(ContractSchemas.Directory)
            ? Directory.GetFiles(ContractSchemas.Directory, "*.schema.json").Select(f => Path.GetFileName(f)!).ToList()
            : [];
        Assert.All(files, file => Assert.True(expected.Contains(file), $"{file} has no contract any more: remove it. {HowToRegenerate}"));
        Assert.NotEmpty(files);
    }
}
