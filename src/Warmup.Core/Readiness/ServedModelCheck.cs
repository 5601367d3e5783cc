using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Readiness;

/// <summary>
/// Checks, once the server is ready and before any warm-up traffic, that it serves the configured model and adapters.
/// A wrong name otherwise costs a whole plan of 404s and ends as "not warm", hiding the server's own message.
/// </summary>
public static class ServedModelCheck
{
    /// <summary>Longest list of served names quoted in the message; a server with hundreds of adapters is cut short.</summary>
    private const int MaxNamesShown = 20;

    /// <summary>Null when everything configured is served or the server does not list its models; otherwise the problem.</summary>
    public static async Task<string?> FindProblemAsync(HttpClient http, WarmupTarget target, IDialect dialect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dialect);
        var served = await dialect.ListServedModelsAsync(http, target, cancellationToken).ConfigureAwait(false);
        return served is null ? null : Describe(target, served);
    }

    internal static string? Describe(WarmupTarget target, IReadOnlyList<string> served)
    {
        var missing = new[] { target.Model }.Concat(target.Adapters)
            .Where(name => !served.Contains(name, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var what = missing.Count == 1 ? $"'{missing[0]}' is" : $"{string.Join(", ", missing.Select(m => $"'{m}'"))} are";
        var shown = served.Take(MaxNamesShown).Select(m => $"'{m}'");
        var more = served.Count > MaxNamesShown ? $" and {served.Count - MaxNamesShown} more" : string.Empty;
        return $"{what} not served by {target.BaseUrl.Scheme}://{target.BaseUrl.Authority}{target.BaseUrl.AbsolutePath.TrimEnd('/')}: /v1/models lists {string.Join(", ", shown)}{more}";
    }
}
