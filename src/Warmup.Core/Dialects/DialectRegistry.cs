using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Warmup.Core.Dialects.Auto;
using Warmup.Core.Dialects.AzureMl;
using Warmup.Core.Dialects.LlamaCpp;
using Warmup.Core.Dialects.Ollama;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Dialects.Sglang;
using Warmup.Core.Dialects.Tgi;
using Warmup.Core.Dialects.Triton;
using Warmup.Core.Dialects.VllmGenerate;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects;

/// <summary>Looks dialects up by name. The only place that knows the full list.</summary>
public sealed class DialectRegistry
{
    private readonly Dictionary<string, IDialect> _byName;

    // What "auto" found per server root; a server keeps its family for the life of the process.
    private readonly ConcurrentDictionary<Uri, DetectedServer> _detected = new();

    /// <summary>The dialects this build ships. A new server family is one <see cref="IDialect"/> class plus one entry here.</summary>
    public static DialectRegistry Default { get; } = new(
        new OpenAiDialect(), new VllmGenerateDialect(), new TgiDialect(), new SglangDialect(), new LlamaCppDialect(),
        new OllamaDialect(), new TritonDialect(), new AzureMlDialect());

    public DialectRegistry(params IEnumerable<IDialect> dialects)
    {
        _byName = new Dictionary<string, IDialect>(StringComparer.OrdinalIgnoreCase);
        foreach (var dialect in dialects)
        {
            if (!_byName.TryAdd(dialect.Name, dialect))
            {
                throw new ArgumentException($"Dialect '{dialect.Name}' is registered twice.", nameof(dialects));
            }
        }

        Names = [.. _byName.Keys.Append(DialectNames.Auto).Order(StringComparer.Ordinal)];
    }

    /// <summary>Every dialect a target may name, "auto" included.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether a target may name this dialect ("auto" or a registered one).</summary>
    public bool IsKnown(string name) =>
        DialectNames.IsAuto(name) || TryGet(name!, out _);

    /// <summary>
    /// The dialect to speak to <paramref name="target"/>: the named one, or for "auto" the one detected from the server
    /// (remembered per base URL; detection waits up to <paramref name="deadline"/> while nothing listens yet).
    /// </summary>
    /// <exception cref="DialectDetectionException">auto could not tell which server it is.</exception>
    public async Task<IDialect> ResolveAsync(
        WarmupTarget target, HttpClient http, TimeSpan deadline, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!DialectNames.IsAuto(target.Dialect))
        {
            return Get(target.Dialect);
        }

        return Get((await DetectAsync(target, http, deadline, time, cancellationToken).ConfigureAwait(false)).Dialect);
    }

    /// <summary>What auto detected for this target (cached), for messages that say what was found.</summary>
    public async Task<DetectedServer> DetectAsync(
        WarmupTarget target, HttpClient http, TimeSpan deadline, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (_detected.TryGetValue(target.BaseUrl, out var known))
        {
            return known;
        }

        var found = await DialectDetector.DetectAsync(http, target, deadline, time, cancellationToken).ConfigureAwait(false);
        return _detected.GetOrAdd(target.BaseUrl, found);
    }

    /// <summary>The dialect for reports: the configured name, or "auto:{detected}" once auto has detected the server.</summary>
    public string Describe(WarmupTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return DialectNames.IsAuto(target.Dialect)
            && _detected.TryGetValue(target.BaseUrl, out var found)
            ? $"{DialectNames.Auto}:{found.Dialect}"
            : target.Dialect;
    }

    /// <summary>
    /// Resolves a dialect where waiting is not wanted (a step after readiness): "auto" is detected in one short pass.
    /// </summary>
    public Task<IDialect> ResolveAsync(WarmupTarget target, HttpClient http, CancellationToken cancellationToken) =>
        ResolveAsync(target, http, TimeSpan.FromSeconds(30), TimeProvider.System, cancellationToken);

    public bool TryGet(string name, [NotNullWhen(true)] out IDialect? dialect)
    {
        dialect = null;
        return !string.IsNullOrWhiteSpace(name) && _byName.TryGetValue(name.Trim(), out dialect);
    }

    /// <summary>Throws ArgumentException with a clear message listing the known dialects.</summary>
    public IDialect Get(string name) =>
        TryGet(name, out var dialect)
            ? dialect
            : throw new ArgumentException(
                DialectNames.IsAuto(name)
                    ? "Dialect 'auto' is detected from the server per target: resolve it with ResolveAsync."
                    : $"Unknown dialect '{name}'. Known dialects: {string.Join(", ", Names)}.",
                nameof(name));
}
