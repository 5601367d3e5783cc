using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Warmup.Functions.Tests.Support;

/// <summary>Keeps every log record (category, level, event, message and structured fields) for assertions.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogRecord> Records { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Records);

    public IReadOnlyList<LogRecord> Events(string name) => Records.Where(r => r.EventName == name).ToList();

    public void Dispose()
    {
    }

    internal sealed record LogRecord(string Category, LogLevel Level, string? EventName, string Message, IReadOnlyDictionary<string, object?> Fields)
    {
        public string? Field(string name) => Fields.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private sealed class Logger(string category, ConcurrentQueue<LogRecord> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)
                : new Dictionary<string, object?>();
            records.Enqueue(new LogRecord(category, logLevel, eventId.Name, formatter(state, exception), fields));
        }
    }
}
