using System.Globalization;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects;

/// <summary>
/// What the HTTP errors a run met mean on its server, for the report: each <c>HttpError:{status}</c> class of the run's
/// error counts that the dialect explains (Azure ML's 408 is request_timeout_ms, its 429 the admitted queue). The
/// per-request messages carry the same text, but a report keeps only counts, so without this a reader would see
/// "HttpError:408 x3" and have to guess.
/// </summary>
public static class HttpErrorMeanings
{
    private const string Prefix = "HttpError:";

    public static IReadOnlyDictionary<string, string> Of(IDialect dialect, WarmupTarget target, IReadOnlyDictionary<string, int> errorsByOutcome)
    {
        ArgumentNullException.ThrowIfNull(errorsByOutcome);
        var meanings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (dialect is not IHttpErrorExplainer explainer)
        {
            return meanings;
        }

        foreach (var outcome in errorsByOutcome.Keys)
        {
            if (outcome.StartsWith(Prefix, StringComparison.Ordinal)
                && int.TryParse(outcome.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
                && explainer.Explain(target, status) is { } meaning)
            {
                meanings[outcome] = meaning;
            }
        }

        return meanings;
    }
}
