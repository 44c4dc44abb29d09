namespace Milestones.Worker.Operations;

/// <summary>A failure the ops commands explain in one message, printed without a stack trace; exit status 1.</summary>
public sealed class OpsException(string message, Exception? inner = null) : Exception(message, inner);
