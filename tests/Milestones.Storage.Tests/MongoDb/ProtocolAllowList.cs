using MongoDB.Bson;

namespace Milestones.Storage.Tests.MongoDb;

/// <summary>
/// The operators the MongoDB adapter may send, as its README lists them ("What it sends"): plain CRUD with classic
/// operators that MongoDB 5.0+ and the compatible services all document. A filter, update or projection rendered with
/// anything else fails the test that renders it.
/// </summary>
static class ProtocolAllowList
{
    /// <summary>Query operators, in filters and in the condition of a <c>$pull</c>.</summary>
    public static readonly IReadOnlySet<string> QueryOperators = new HashSet<string>(StringComparer.Ordinal)
    {
        "$in", "$nin", "$exists", "$lt", "$or", "$elemMatch",
        // The timeline's keyset pages: a bound on the leading key and an $or over the keyset, both directions.
        "$gt", "$gte", "$lte",
    };

    /// <summary>Update operators, at the top of an update document.</summary>
    public static readonly IReadOnlySet<string> UpdateOperators = new HashSet<string>(StringComparer.Ordinal)
    {
        "$set", "$unset", "$inc", "$min", "$push", "$pull",
    };

    /// <summary>Modifiers inside an update operator.</summary>
    public static readonly IReadOnlySet<string> UpdateModifiers = new HashSet<string>(StringComparer.Ordinal) { "$each" };

    /// <summary>A filter: a document whose operators, at any depth, are all query operators.</summary>
    public static void AssertFilter(BsonDocument filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        foreach (var op in OperatorsIn(filter))
        {
            Assert.True(QueryOperators.Contains(op), $"filter operator {op} is not in the documented allow-list: {filter}");
        }
    }

    /// <summary>
    /// An update: a document (never a pipeline, which is an array) of update operators, with only <c>$each</c> or
    /// query operators (the condition of a <c>$pull</c>) beneath them.
    /// </summary>
    public static void AssertUpdate(BsonValue update)
    {
        ArgumentNullException.ThrowIfNull(update);
        Assert.True(update.IsBsonDocument, $"an update pipeline or replacement, not an update document: {update}");
        foreach (var element in update.AsBsonDocument)
        {
            Assert.True(UpdateOperators.Contains(element.Name), $"update operator {element.Name} is not in the documented allow-list: {update}");
            Assert.True(element.Value.IsBsonDocument, $"{element.Name} takes a document of fields: {update}");
            foreach (var op in OperatorsIn(element.Value.AsBsonDocument))
            {
                Assert.True(UpdateModifiers.Contains(op) || (element.Name == "$pull" && QueryOperators.Contains(op)),
                    $"{op} under {element.Name} is not in the documented allow-list: {update}");
            }
        }
    }

    /// <summary>A projection or sort or index key document: field names only, no operator or expression.</summary>
    public static void AssertPlainFields(BsonDocument keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Assert.Empty(OperatorsIn(keys));
        Assert.All(keys.Values, v => Assert.True(v.IsNumeric, $"{keys} holds {v}, not a plain 1/0/-1"));
    }

    /// <summary>Every field name starting with <c>$</c>, at any depth (documents stored by the adapter never have one).</summary>
    public static IEnumerable<string> OperatorsIn(BsonValue value) => value switch
    {
        BsonDocument d => d.Elements.SelectMany(e => (e.Name.StartsWith('$') ? [e.Name] : Array.Empty<string>()).Concat(OperatorsIn(e.Value))),
        BsonArray a => a.SelectMany(OperatorsIn),
        _ => [],
    };
}
