namespace Milestones.Storage.MongoDB;

/// <summary>Whether the startup work (index creation) has succeeded; the readiness check waits for it.</summary>
public sealed class MongoStoreReadiness
{
    volatile bool indexesReady;

    public bool IndexesReady => indexesReady;

    public void MarkIndexesReady() => indexesReady = true;
}
