using System.Diagnostics.CodeAnalysis;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Dialects.VllmGenerate;

namespace Warmup.Core.Dialects;

/// <summary>Looks dialects up by name. The only place that knows the full list.</summary>
public sealed class DialectRegistry
{
    private readonly Dictionary<string, IDialect> _byName;

    /// <summary>The dialects this build ships. A new server family is one <see cref="IDialect"/> class plus one entry here.</summary>
    public static DialectRegistry Default { get; } = new(new OpenAiDialect(), new VllmGenerateDialect());

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

        Names = [.. _byName.Keys.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> Names { get; }

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
                $"Unknown dialect '{name}'. Known dialects: {string.Join(", ", Names)}.", nameof(name));
}
