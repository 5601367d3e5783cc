using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace Warmup.Integration.Tests.Orchestration;

/// <summary>One activity execution as it happened: name, input, start and end (monotonic order numbers).</summary>
internal sealed record JournalEntry(string Name, object? Input, long Started, long Ended, bool Failed);

/// <summary>Records every activity execution around the real activity classes.</summary>
internal sealed class ActivityJournal
{
    private long _clock;

    public ConcurrentQueue<JournalEntry> Entries { get; } = new();

    /// <summary>Optional fault to inject before the real activity runs (name, input, attempt) -> exception or null.</summary>
    public Func<string, object?, int, Exception?>? Fault { get; set; }

    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public long Tick() => Interlocked.Increment(ref _clock);

    public int NextAttempt(string key) => _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public DurableTaskRegistry Wrap<TActivity>(DurableTaskRegistry registry, string name)
        where TActivity : class, ITaskActivity
        => registry.AddActivity(name, sp => new Recorded(ActivatorUtilities.CreateInstance<TActivity>(sp), name, this));

    private sealed class Recorded(ITaskActivity inner, string name, ActivityJournal journal) : ITaskActivity
    {
        public Type InputType => inner.InputType;

        public Type OutputType => inner.OutputType;

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var started = journal.Tick();
            try
            {
                var attempt = journal.NextAttempt($"{name}:{System.Text.Json.JsonSerializer.Serialize(input)}");
                if (journal.Fault?.Invoke(name, input, attempt) is { } fault)
                {
                    throw fault;
                }

                var output = await inner.RunAsync(context, input);
                journal.Entries.Enqueue(new JournalEntry(name, input, started, journal.Tick(), false));
                return output;
            }
            catch
            {
                journal.Entries.Enqueue(new JournalEntry(name, input, started, journal.Tick(), true));
                throw;
            }
        }
    }
}
