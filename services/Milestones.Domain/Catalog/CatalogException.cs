namespace Milestones.Domain.Catalog;

/// <summary>The catalog is unusable; <see cref="Errors"/> names each bad entry.</summary>
public sealed class CatalogException : Exception
{
    public CatalogException(IReadOnlyList<string> errors, Exception? inner = null)
        : base("The project catalog is invalid: " + string.Join("; ", errors), inner)
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}
