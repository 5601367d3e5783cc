using System.Collections.Concurrent;

namespace Warmup.Core.Readiness;

/// <summary>
/// The last answer each target's readiness poll got, for a live display while a run waits (the orchestration's
/// status only changes between activities, and the wait is one activity). One per host; safe across threads.
/// </summary>
public sealed class ReadinessWatch
{
    private readonly ConcurrentDictionary<string, string> _lastAnswers = new(StringComparer.Ordinal);

    public IProgress<string> For(string target) => new Recorder(this, target);

    public string? LastAnswer(string target) => _lastAnswers.TryGetValue(target, out var answer) ? answer : null;

    private sealed class Recorder(ReadinessWatch watch, string target) : IProgress<string>
    {
        public void Report(string value) => watch._lastAnswers[target] = value;
    }
}
