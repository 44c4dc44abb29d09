using Milestones.Contracts;
using Milestones.Contracts.Tests;
using Milestones.Contracts.Validation;
using Milestones.Domain;
using Milestones.Domain.Catalog;
using Milestones.Domain.Validation;
using Milestones.Worker.Consumers;

namespace Milestones.Worker.Tests;

/// <summary>
/// The publisher kit (<see cref="MessageValidator"/>, in the contracts assembly) and the service's validator are two
/// implementations of one set of rules. This runs the kit's corpus through the service as its consumers do (the sender
/// resolved from the broker identity, the message mapped to the domain, <see cref="MilestoneValidator"/> against the
/// checked-in catalog at the same instant) and requires the same reason code and the same words for every message.
/// </summary>
public sealed class Validating_like_the_kit
{
    static readonly string CatalogPath = Path.Combine(AppContext.BaseDirectory, "catalog", "fengtai-2023.json");
    static readonly ProjectCatalog Catalog = ProjectCatalog.LoadFile(CatalogPath);
    static readonly MilestoneValidator Service = new(Catalog, new FixedClock(MessageCorpus.Now), ValidationLimits.Default);
    static readonly MessageValidator Kit = new(LoadSnapshot(), new FixedClock(MessageCorpus.Now));

    public static TheoryData<CorpusCase> Cases() => [.. MessageCorpus.All];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_service_refuses_each_message_for_the_kits_reason_in_the_kits_words(CorpusCase c)
    {
        Assert.Null(ByService(c.Good, c.Sender));
        Assert.Null(Kit.Validate(c.Good));

        var service = ByService(c.Message, c.Sender);
        var kit = Kit.Validate(c.Message);
        Assert.Equal(c.Code, service?.Code);
        Assert.Equal((service?.Code, service?.Message), (kit?.Code, kit?.Message));
    }

    [Fact]
    public void The_vocabulary_and_the_limits_are_the_same()
    {
        Assert.Equal(MilestoneVocabulary.Stages.Select(s => s.Code), MilestoneCodes.All);
        var (service, kit) = (ValidationLimits.Default, MessageLimits.Default);
        Assert.Equal((service.MaxNoteLength, service.MaxEvidenceUrlLength, service.MaxClockSkew), (kit.MaxNoteLength, kit.MaxEvidenceUrlLength, kit.MaxClockSkew));
        var codes = Enum.GetValues<RejectionReason>().Select(r => new Rejection(r, "").Code).Order();
        var kitCodes = typeof(RejectionCodes).GetFields().Select(f => (string)f.GetRawConstantValue()!).Order();
        Assert.Equal(codes, kitCodes);
    }

    static Rejection? ByService(object message, string sender)
    {
        var claimed = message switch
        {
            MilestoneReached m => m.SourceSystem,
            MilestoneRetracted m => m.SourceSystem,
            ProgressReported m => m.SourceSystem,
            ProjectRegistered m => m.SourceSystem,
            _ => throw new ArgumentException($"not an inbound message: {message.GetType()}"),
        };
        var (source, identity) = PublisherIdentity.Resolve(claimed, sender, required: true);
        Assert.Null(identity);
        return message switch
        {
            MilestoneReached m => Service.Validate(m.ToDomain(source)),
            MilestoneRetracted m => Service.Validate(m.ToDomain(source)),
            ProgressReported m => Service.Validate(m.ToDomain(source)),
            _ => Service.Validate(((ProjectRegistered)message).ToDomain(source)),
        };
    }

    static CatalogSnapshot LoadSnapshot()
    {
        using var stream = File.OpenRead(CatalogPath);
        return CatalogSnapshot.Load(stream);
    }

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

static class KitValidation
{
    public static MessageRejection? Validate(this MessageValidator kit, object message) => message switch
    {
        MilestoneReached m => kit.Validate(m),
        MilestoneRetracted m => kit.Validate(m),
        ProgressReported m => kit.Validate(m),
        ProjectRegistered m => kit.Validate(m),
        _ => throw new ArgumentException($"not an inbound message: {message.GetType()}"),
    };
}
