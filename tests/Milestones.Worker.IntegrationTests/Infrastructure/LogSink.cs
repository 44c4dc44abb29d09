using System.Collections.Concurrent;
using System.Diagnostics;

namespace Milestones.Worker.IntegrationTests.Infrastructure;

/// <summary>Every log line of an in-process worker, with the trace id that was current when it was written.</summary>
public sealed class LogSink : ILoggerProvider
{
    readonly ConcurrentQueue<CapturedLog> entries = new();

    public IReadOnlyList<CapturedLog> Entries => entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var traceId = Activity.Current?.TraceId is { } id && id != default ? id.ToString() : null;
                entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), traceId, exception));
            }
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, string Message, string? TraceId, Exception? Exception);
