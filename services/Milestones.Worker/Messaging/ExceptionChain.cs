namespace Milestones.Worker.Messaging;

/// <summary>An exception and the ones inside it: MassTransit and the drivers wrap the failure that decides what to do.</summary>
public static class ExceptionChain
{
    public static IEnumerable<Exception> AndInner(this Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
