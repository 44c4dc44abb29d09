using Milestones.Domain;
using Milestones.Domain.Projects;
using Milestones.Domain.Storage;
using Milestones.Storage.MongoDB;
using Milestones.Storage.MongoDB.Documents;
using Milestones.Storage.Tests.TestData;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// The commands a batch commit sends and what it makes of their answers, without a server: <see cref="MongoBatchCommit"/>
/// runs against <see cref="ScriptedCommands"/>, which records each command (rendered to BSON) and answers what the test
/// scripted (this duplicate, that version conflict). It is not a database: whether the answers are what MongoDB would
/// say is for the server tests (<see cref="Recovering_MongoDB_commits_after_a_crash"/>, the contract suite). What is pinned here: at most
/// 3 + P commands for P projects whatever the number of events, the order of the steps, which projects are written and
/// which events marked, and the allow-listed operators of every filter and update.
/// </summary>
public sealed class The_MongoDB_batch_commit_sequence
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_without_duplicates_is_one_insert_one_write_per_project_and_one_mark()
    {
        var hub = Commit(TestCatalog.Hub, expectedVersion: 0, events: 2);
        var park = Commit(TestCatalog.Park, expectedVersion: 2, events: 3);
        var school = Commit(TestCatalog.School, expectedVersion: 5, events: 5);
        var commands = new ScriptedCommands();

        var results = await MongoBatchCommit.Run([hub, park, school], commands, null, Cancel);

        Assert.Equal([new CommitResult.Committed(1), new CommitResult.Committed(3), new CommitResult.Committed(6)], results);
        Assert.Equal(["insertMany", "write project", "write project", "write project", "updateMany"], commands.Sent.Select(c => c.Kind));
        Assert.True(commands.Sent.Count <= MongoBatchCommit.CommandBound(3));
        var inserted = commands.Sent[0].Documents;
        Assert.Equal(IdsOf(hub, park, school), inserted.Select(d => d["_id"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard)));
        Assert.All(inserted, d => Assert.False(d["applied"].AsBoolean));
        // The new project is inserted at version 1; the others are updated at their expected version.
        Assert.Equal(1L, commands.Written(TestCatalog.Hub).Documents.Single()["version"].AsInt64);
        Assert.Equal(BsonDocument.Parse($"{{ _id: '{TestCatalog.Park}', version: NumberLong(2) }}"), commands.Written(TestCatalog.Park).Filter);
        Assert.Equal(BsonDocument.Parse($"{{ _id: '{TestCatalog.School}', version: NumberLong(5) }}"), commands.Written(TestCatalog.School).Filter);
        // The completing project's update carries its completion with the state, in the same single-document write.
        Assert.Equal(school.Outbox[0].MessageId, commands.Written(TestCatalog.School).Update!["$push"]["outbox"]["$each"][0]["messageId"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard));
        Assert.Equal(InFilter(IdsOf(hub, park, school)), commands.Sent[^1].Filter);
        Assert.Equal(BsonDocument.Parse("{ $set: { applied: true } }"), commands.Sent[^1].Update);
        commands.AssertAllowListed();
    }

    [Fact]
    public async Task Duplicates_are_read_back_in_one_find_and_decided_per_commit()
    {
        var hub = Commit(TestCatalog.Hub, expectedVersion: 4, events: 2);
        var park = Commit(TestCatalog.Park, expectedVersion: 1, events: 1);
        var school = Commit(TestCatalog.School, expectedVersion: 0, events: 2);
        var commands = new ScriptedCommands
        {
            // hub's second event was recorded and applied; park's one stopped midway (unapplied, same payload);
            // school's first is another payload under the same id.
            Stored =
            {
                Stored(hub.Events[1], applied: true),
                Stored(park.Events[0], applied: false),
                Stored(school.Events[0], applied: false, fingerprint: "another-payload"),
            },
        };

        var results = await MongoBatchCommit.Run([hub, park, school], commands, null, Cancel);

        var hubExists = Assert.IsType<CommitResult.EventsExist>(results[0]);
        Assert.Equal(new Dictionary<Guid, string> { [hub.Events[1].EventId] = hub.Events[1].Fingerprint }, hubExists.Fingerprints);
        Assert.Equal(new CommitResult.Committed(2), results[1]);
        var schoolExists = Assert.IsType<CommitResult.EventsExist>(results[2]);
        Assert.Equal(new Dictionary<Guid, string> { [school.Events[0].EventId] = "another-payload" }, schoolExists.Fingerprints);

        Assert.Equal(["insertMany", "find", "write project", "updateMany"], commands.Sent.Select(c => c.Kind));
        Assert.Equal(InFilter([hub.Events[1].EventId, park.Events[0].EventId, school.Events[0].EventId]), commands.Sent[1].Filter);
        Assert.Equal(TestCatalog.Park, commands.Sent[2].ProjectId);
        // Only the committed project's events join the timeline; the others' new inserts stay unapplied until re-submitted.
        Assert.Equal(InFilter([park.Events[0].EventId]), commands.Sent[3].Filter);
        commands.AssertAllowListed();
    }

    [Fact]
    public async Task A_project_that_moved_on_is_a_version_conflict_and_its_events_are_not_marked()
    {
        var hub = Commit(TestCatalog.Hub, expectedVersion: 3, events: 1);
        var park = Commit(TestCatalog.Park, expectedVersion: 0, events: 2);
        var commands = new ScriptedCommands { MovedOn = { TestCatalog.Hub, TestCatalog.Park } };

        var results = await MongoBatchCommit.Run([hub, park], commands, null, Cancel);

        Assert.Equal([new CommitResult.VersionConflict(), new CommitResult.VersionConflict()], results);
        // Nothing committed, nothing to mark: no updateMany at all.
        Assert.Equal(["insertMany", "write project", "write project"], commands.Sent.Select(c => c.Kind));

        commands = new ScriptedCommands { MovedOn = { TestCatalog.Hub } };
        results = await MongoBatchCommit.Run([hub, park], commands, null, Cancel);

        Assert.Equal([new CommitResult.VersionConflict(), new CommitResult.Committed(1)], results);
        Assert.Equal(InFilter(IdsOf(park)), commands.Sent[^1].Filter);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(3, 40)]
    [InlineData(3, 400)]
    public async Task The_commands_of_a_batch_do_not_grow_with_its_events(int projects, int eventsPerProject)
    {
        string[] ids = [TestCatalog.Hub, TestCatalog.Park, TestCatalog.School];
        var commits = ids.Take(projects).Select((id, k) => Commit(id, expectedVersion: k, events: eventsPerProject)).ToList();
        var commands = new ScriptedCommands();
        // Every third event is a redelivery that stopped midway, every seventh of the first project already applied.
        foreach (var (e, i) in commits.SelectMany(c => c.Events).Select((e, i) => (e, i)))
        {
            if (i % 3 == 0)
            {
                commands.Stored.Add(Stored(e, applied: i % 7 == 0 && e.ProjectId == TestCatalog.Hub));
            }
        }

        await MongoBatchCommit.Run(commits, commands, null, Cancel);

        Assert.InRange(commands.Sent.Count, 1, MongoBatchCommit.CommandBound(projects));
        Assert.Single(commands.Sent, c => c.Kind == "insertMany");
        Assert.InRange(commands.Sent.Count(c => c.Kind == "find"), 0, 1);
        Assert.InRange(commands.Sent.Count(c => c.Kind == "write project"), 0, projects);
        Assert.InRange(commands.Sent.Count(c => c.Kind == "updateMany"), 0, 1);
        commands.AssertAllowListed();
    }

    [Fact]
    public async Task A_crash_after_the_insert_writes_no_project_and_one_after_the_project_writes_marks_nothing()
    {
        var hub = Commit(TestCatalog.Hub, expectedVersion: 1, events: 2);
        var park = Commit(TestCatalog.Park, expectedVersion: 0, events: 1);

        var commands = new ScriptedCommands { Stored = { Stored(hub.Events[0], applied: false) } };
        await Assert.ThrowsAsync<InjectedCrash>(() => MongoBatchCommit.Run([hub, park], commands, CrashAfter(MongoCommitStep.EventsInserted), Cancel));
        Assert.Equal(["insertMany", "find"], commands.Sent.Select(c => c.Kind));

        commands = new ScriptedCommands();
        await Assert.ThrowsAsync<InjectedCrash>(() => MongoBatchCommit.Run([hub, park], commands, CrashAfter(MongoCommitStep.ProjectsWritten), Cancel));
        Assert.Equal(["insertMany", "write project", "write project"], commands.Sent.Select(c => c.Kind));
    }

    [Fact]
    public async Task A_batch_the_protocol_cannot_keep_all_or_nothing_per_project_is_refused_before_anything_is_sent()
    {
        var hub = Commit(TestCatalog.Hub, expectedVersion: 1, events: 2);
        var park = Commit(TestCatalog.Park, expectedVersion: 0, events: 1);
        var commands = new ScriptedCommands();

        // The same event twice would be read back as the first copy's unapplied insert and applied by both commits.
        await Assert.ThrowsAsync<ArgumentException>(() => MongoBatchCommit.Run([hub, park with { Events = [.. park.Events, hub.Events[0] with { ProjectId = TestCatalog.Park }] }], commands, null, Cancel));
        await Assert.ThrowsAsync<ArgumentException>(() => MongoBatchCommit.Run([hub, hub], commands, null, Cancel));
        await Assert.ThrowsAsync<ArgumentException>(() => MongoBatchCommit.Run([hub with { Events = [] }], commands, null, Cancel));
        await Assert.ThrowsAsync<ArgumentException>(() => MongoBatchCommit.Run([park with { Events = [hub.Events[0]] }], commands, null, Cancel));
        Assert.Empty(commands.Sent);

        Assert.Empty(await MongoBatchCommit.Run([], commands, null, Cancel));
        Assert.Empty(commands.Sent);
    }

    [Fact]
    public async Task A_duplicate_that_cannot_be_read_back_fails_the_batch_before_any_project_is_written()
    {
        var hub = Commit(TestCatalog.Hub, expectedVersion: 1, events: 1);
        var commands = new ScriptedCommands { RefuseWithoutStoring = { hub.Events[0].EventId } };

        await Assert.ThrowsAsync<InvalidOperationException>(() => MongoBatchCommit.Run([hub], commands, null, Cancel));

        Assert.Equal(["insertMany", "find"], commands.Sent.Select(c => c.Kind));
    }

    sealed class InjectedCrash : Exception;

    static Action<MongoCommitStep> CrashAfter(MongoCommitStep step) => s =>
    {
        if (s == step)
        {
            throw new InjectedCrash();
        }
    };

    /// <summary>A commit of <paramref name="events"/> reports of the project (five or more complete it, with its completion in the outbox).</summary>
    static ProjectCommit Commit(string projectId, long expectedVersion, int events)
    {
        string[] codes = [MilestoneVocabulary.Approved, .. TestCatalog.Required];
        var state = ProjectState.Empty(projectId);
        var records = new List<EventRecord>();
        var outbox = new List<OutboxEntry>();
        for (var i = 0; i < events; i++)
        {
            var e = TestEvents.Reached(projectId, codes[i % codes.Length], 1 + i);
            var outcome = state.Apply(TestCatalog.Catalog.Get(projectId).Plan, e);
            state = outcome.State;
            records.Add(EventRecord.From(e, TestEvents.Now));
            if (outcome.Completion is { } completion)
            {
                outbox.Add(OutboxEntry.For(completion, TestEvents.Now));
            }
        }
        return new ProjectCommit(records, expectedVersion, state, outbox);
    }

    static EventDocument Stored(EventRecord e, bool applied, string? fingerprint = null)
    {
        var document = EventDocument.From(e with { Fingerprint = fingerprint ?? e.Fingerprint });
        return new EventDocument
        {
            Id = document.Id,
            ProjectId = document.ProjectId,
            MilestoneCode = document.MilestoneCode,
            OccurredAt = document.OccurredAt,
            ReportedAt = document.ReportedAt,
            SourceSystem = document.SourceSystem,
            Fingerprint = document.Fingerprint,
            RecordedAt = document.RecordedAt,
            Applied = applied,
        };
    }

    static List<Guid> IdsOf(params ProjectCommit[] commits) => commits.SelectMany(c => c.Events).Select(e => e.EventId).ToList();

    static BsonDocument InFilter(IEnumerable<Guid> ids) =>
        new("_id", new BsonDocument("$in", new BsonArray(ids.Select(id => new BsonBinaryData(id, GuidRepresentation.Standard)))));

    /// <summary>One command as sent: its kind and rendered arguments.</summary>
    sealed record SentCommand(string Kind, string? ProjectId, IReadOnlyList<BsonDocument> Documents, BsonDocument? Filter, BsonValue? Update);

    /// <summary>
    /// Records the commands and answers as scripted: an insert refuses the ids of <see cref="Stored"/> (and of
    /// <see cref="RefuseWithoutStoring"/>), a find returns the stored ones it names, a project write fails for the
    /// projects in <see cref="MovedOn"/>.
    /// </summary>
    sealed class ScriptedCommands : IMongoCommitCommands
    {
        readonly Lock sync = new();

        public List<EventDocument> Stored { get; } = [];

        public HashSet<Guid> RefuseWithoutStoring { get; } = [];

        public HashSet<string> MovedOn { get; } = new(StringComparer.Ordinal);

        public List<SentCommand> Sent { get; } = [];

        public SentCommand Written(string projectId) => Assert.Single(Sent, c => c.Kind == "write project" && c.ProjectId == projectId);

        public Task<IReadOnlySet<int>> InsertEvents(IReadOnlyList<EventDocument> documents, CancellationToken cancellationToken)
        {
            Record(new SentCommand("insertMany", null, documents.Select(d => d.ToBsonDocument()).ToList(), null, null));
            var refused = documents.Select((d, i) => (d, i))
                .Where(x => Stored.Any(s => s.Id == x.d.Id) || RefuseWithoutStoring.Contains(x.d.Id))
                .Select(x => x.i)
                .ToHashSet();
            return Task.FromResult<IReadOnlySet<int>>(refused);
        }

        public Task<IReadOnlyList<EventDocument>> FindEvents(FilterDefinition<EventDocument> filter, CancellationToken cancellationToken)
        {
            var rendered = Render(filter);
            Record(new SentCommand("find", null, [], rendered, null));
            var named = rendered["_id"]["$in"].AsBsonArray.Select(v => v.AsBsonBinaryData.ToGuid(GuidRepresentation.Standard)).ToHashSet();
            return Task.FromResult<IReadOnlyList<EventDocument>>(Stored.Where(s => named.Contains(s.Id)).ToList());
        }

        public Task<bool> InsertProject(ProjectDocument document, CancellationToken cancellationToken)
        {
            Record(new SentCommand("write project", document.Id, [document.ToBsonDocument()], null, null));
            return Task.FromResult(!MovedOn.Contains(document.Id));
        }

        public Task<bool> UpdateProject(FilterDefinition<ProjectDocument> filter, UpdateDefinition<ProjectDocument> update, CancellationToken cancellationToken)
        {
            var rendered = Render(filter);
            var projectId = rendered["_id"].AsString;
            Record(new SentCommand("write project", projectId, [], rendered, Render(update)));
            return Task.FromResult(!MovedOn.Contains(projectId));
        }

        public Task MarkApplied(FilterDefinition<EventDocument> filter, UpdateDefinition<EventDocument> update, CancellationToken cancellationToken)
        {
            Record(new SentCommand("updateMany", null, [], Render(filter), Render(update)));
            return Task.CompletedTask;
        }

        /// <summary>Every filter and update sent uses only the README's operators.</summary>
        public void AssertAllowListed()
        {
            foreach (var command in Sent)
            {
                if (command.Filter is { } filter)
                {
                    ProtocolAllowList.AssertFilter(filter);
                }
                if (command.Update is { } update)
                {
                    ProtocolAllowList.AssertUpdate(update);
                }
                // Inserted documents are data: no field of theirs may look like an operator.
                Assert.All(command.Documents, d => Assert.Empty(ProtocolAllowList.OperatorsIn(d)));
            }
        }

        void Record(SentCommand command)
        {
            // The project writes run concurrently.
            lock (sync)
            {
                Sent.Add(command);
            }
        }

        static BsonDocument Render<T>(FilterDefinition<T> filter) =>
            filter.Render(new RenderArgs<T>(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry));

        static BsonValue Render<T>(UpdateDefinition<T> update) =>
            update.Render(new RenderArgs<T>(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry));
    }
}
