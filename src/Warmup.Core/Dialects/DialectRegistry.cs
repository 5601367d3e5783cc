namespace Warmup.Core.Dialects;

/// <summary>Looks dialects up by name. The only place that knows the full list.</summary>
public sealed class DialectRegistry
{
    public static DialectRegistry Default { get; } = new();

    public IReadOnlyList<string> Names => throw new NotImplementedException();

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IDialect? dialect) => throw new NotImplementedException();

    /// <summary>Throws ArgumentException with a clear message listing the known dialects.</summary>
    public IDialect Get(string name) => throw new NotImplementedException();
}
