using Milestones.Domain.Projects;
using Milestones.Storage.MongoDB.Documents;
using MongoDB.Driver;

namespace Milestones.Storage.MongoDB;

/// <summary>
/// The filters, updates and sorts of the operations port (<see cref="Milestones.Domain.Storage.IStoreMaintenance"/>), apart from the commit
/// protocol, so that tests render them without a server. Classic CRUD only, as the README's "What it sends" lists.
/// </summary>
internal static class MongoMaintenanceProtocol
{
    static FilterDefinitionBuilder<ProjectDocument> ProjectFilter => Builders<ProjectDocument>.Filter;
    static UpdateDefinitionBuilder<ProjectDocument> ProjectUpdate => Builders<ProjectDocument>.Update;

    /// <summary>Applied events only: an unapplied one is not part of any state yet (see the commit protocol).</summary>
    public static FilterDefinition<EventDocument> AppliedEvents { get; } = Builders<EventDocument>.Filter.Eq(d => d.Applied, true);

    /// <summary>Only the project id of each event, for the list of projects with events (counted on the client, no aggregation).</summary>
    public static ProjectionDefinition<EventDocument> ProjectIdOnly { get; } =
        Builders<EventDocument>.Projection.Include(d => d.ProjectId).Exclude("_id");

    /// <summary>
    /// The order events were recorded in: <c>recordedAt</c> (one instant per batch round), then the id. Within one
    /// instant the store keeps no order; the recorder writes a retraction only as the first input of its project in a
    /// round, so the client puts retractions first among events of the same instant (<see cref="MongoMilestoneStore.ReadEventsInRecordedOrder"/>).
    /// </summary>
    public static SortDefinition<EventDocument> RecordedOrder { get; } = Builders<EventDocument>.Sort
        .Ascending(EventDocument.RecordedAtField + MongoStoreProtocol.TicksSuffix)
        .Ascending("_id");

    /// <summary>A recomputed state over the stored one, at the next version; outbox, pending marker and lease untouched.</summary>
    public static UpdateDefinition<ProjectDocument> ReplaceState(ProjectState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return ProjectUpdate.Combine(MongoStoreProtocol.NextState(state, now));
    }

    /// <summary>The document of a project that had events but no state: version 1, nothing pending.</summary>
    public static ProjectDocument NewProject(ProjectState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return ProjectDocument.Of(state, now, outbox: []);
    }

    /// <summary>The project's lease exactly as it was listed: one taken again since (a new <c>leaseUntil</c>) does not match.</summary>
    public static FilterDefinition<ProjectDocument> LeaseAsListed(string projectId, string owner, DateTime until) =>
        ProjectFilter.Eq(d => d.Id, projectId) & ProjectFilter.Eq(d => d.LeaseOwner, owner) & ProjectFilter.Eq(d => d.LeaseUntil, until);

    /// <summary>Releases a project's lease; its entries stay pending, for the next dispatcher pass to claim.</summary>
    public static UpdateDefinition<ProjectDocument> ReleaseLease { get; } = ProjectUpdate.Unset(d => d.LeaseOwner).Unset(d => d.LeaseUntil);
}
