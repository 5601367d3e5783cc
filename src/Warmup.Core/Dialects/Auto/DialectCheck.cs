using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.Auto;

/// <summary>
/// Before readiness: resolves "auto", and for a configured dialect asks the server once what it is, so a mismatch (the
/// tgi dialect against an Ollama server) is one clear message now instead of a readiness wait that runs into its deadline.
/// Servers that do not say what they are (a gateway, Azure ML's front end, one still refusing connections) are not judged.
/// </summary>
public sealed class DialectCheck(DialectRegistry dialects, HttpClient http, TimeProvider time)
{
    /// <summary>The dialect to use, or null and the problem in one line.</summary>
    public async Task<(IDialect? Dialect, string? Problem)> ResolveAsync(WarmupTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (DialectNames.IsAuto(target.Dialect))
        {
            try
            {
                var found = await dialects.DetectAsync(target, http, target.Limits.ReadyDeadline, time, cancellationToken).ConfigureAwait(false);
                return (dialects.Get(found.Dialect), null);
            }
            catch (DialectDetectionException ex)
            {
                return (null, ex.Message);
            }
        }

        var dialect = dialects.Get(target.Dialect);
        if (target.Dialect == DialectNames.AzureMl)
        {
            return (dialect, null);
        }

        var seen = await DialectDetector.DetectOnceAsync(http, target.BaseUrl, cancellationToken).ConfigureAwait(false);
        if (seen.Server is { } server && !server.Supports(target.Dialect))
        {
            return (null,
                $"Target '{target.Name}' is configured with dialect '{target.Dialect}', but the server looks like {server.Describe()}; " +
                $"use dialect '{server.Dialect}' (or 'auto').");
        }

        return (dialect, null);
    }
}
