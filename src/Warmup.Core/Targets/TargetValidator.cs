using System.Reflection;
using System.Text.RegularExpressions;
using Warmup.Core.Dialects;

namespace Warmup.Core.Targets;

/// <summary>Turns one <see cref="TargetDocument"/> into a <see cref="WarmupTarget"/>, or into one message that lists everything wrong with it.</summary>
internal static partial class TargetValidator
{
    public const int MinConcurrency = 1;

    // The ceilings live in TargetLimits (public, so the CLI checks the same ones); see there for why they are what they are.
    private const int MaxConcurrency = TargetLimits.MaxConcurrencyCeiling;

    // Larger than any context window served today; the plan stops at the model's window anyway.
    private const int MaxPromptBucket = 10_000_000;
    private const long MaxTokensPerRunCeiling = TargetLimits.MaxTokensPerRunCeiling;
    private static readonly TimeSpan MaxReadyDeadline = TargetLimits.MaxReadyDeadline;
    private static readonly TimeSpan MaxRequestTimeout = TargetLimits.MaxRequestTimeout;

    /// <summary>Dialect names known to the engine: every public constant of <see cref="DialectNames"/>.</summary>
    public static IReadOnlyList<string> KnownDialects { get; } = typeof(DialectNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static readonly string[] KnownApis = [OpenAiApis.Completions, OpenAiApis.Chat];

    [GeneratedRegex("^[a-z0-9-]{1,48}$", RegexOptions.CultureInvariant)]
    internal static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.:]{0,127}$", RegexOptions.CultureInvariant)]
    internal static partial Regex SettingNamePattern();

    public static bool TryValidate(TargetDocument doc, string label, out WarmupTarget? target, out string? problem)
    {
        var errors = new List<string>();
        var name = doc.Name?.Trim();
        var subject = string.IsNullOrEmpty(name) ? label : $"target '{name}'";

        if (string.IsNullOrEmpty(name))
        {
            errors.Add("name is required");
        }
        else if (!NamePattern().IsMatch(name))
        {
            errors.Add($"name '{name}' must match [a-z0-9-]{{1,48}} (lower-case letters, digits and '-'; it becomes part of the instance id)");
        }

        var baseUrl = ValidateBaseUrl(doc.BaseUrl, errors);

        var dialect = string.IsNullOrWhiteSpace(doc.Dialect) ? DialectNames.OpenAi : doc.Dialect.Trim();
        if (!KnownDialects.Contains(dialect, StringComparer.Ordinal))
        {
            errors.Add($"dialect '{dialect}' is not known; known dialects: {string.Join(", ", KnownDialects)}");
        }

        var model = doc.Model?.Trim();
        if (string.IsNullOrEmpty(model))
        {
            errors.Add("model is required (the served model name)");
        }

        var api = string.IsNullOrWhiteSpace(doc.Api) ? OpenAiApis.Completions : doc.Api.Trim();
        var apis = dialect == DialectNames.AzureMl ? [.. KnownApis, OpenAiApis.Template] : KnownApis;
        if (!apis.Contains(api, StringComparer.Ordinal))
        {
            errors.Add($"api '{api}' is not known; use {string.Join(" or ", apis)}");
        }

        var adapters = ValidateAdapters(doc.Adapters, errors);
        var auth = ValidateAuth(doc.Auth, errors);
        var limits = ValidateLimits(doc.Limits, errors);
        var promptBuckets = ValidateShapes(doc.PromptBuckets, "promptBuckets", "token counts", MaxPromptBucket, errors);
        var batchSizes = ValidateShapes(doc.BatchSizes, "batchSizes", "batch sizes", MaxConcurrency, errors);
        var rules = ValidateRules(doc.EventRules, errors);
        var dialectSettings = DialectSettingsValidator.Validate(doc, dialect, api, auth, errors);

        if (errors.Count > 0)
        {
            target = null;
            problem = $"{subject}: {string.Join("; ", errors)}";
            return false;
        }

        target = new WarmupTarget
        {
            Name = name!,
            BaseUrl = baseUrl!,
            Dialect = dialect,
            Model = model!,
            Api = api,
            Adapters = adapters,
            Auth = auth,
            Limits = limits,
            PromptBuckets = promptBuckets,
            BatchSizes = batchSizes,
            EventRules = rules,
            MetricsUrl = dialectSettings.MetricsUrl,
            RequestTemplate = dialectSettings.RequestTemplate,
            AzureMl = dialectSettings.AzureMl,
        };
        problem = null;
        return true;
    }

    private static Uri? ValidateBaseUrl(string? raw, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            errors.Add("baseUrl is required");
            return null;
        }
        if (!Uri.TryCreate(raw.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"baseUrl '{WithoutSecrets(raw.Trim())}' must be an absolute http(s) URL");
            return null;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // Never echo the credentials back into a log line.
            errors.Add("baseUrl must not carry credentials; name an app setting in auth.apiKeySetting instead");
            return null;
        }
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            // A query often carries a key (?api-key=...): name the URL without it.
            errors.Add($"baseUrl '{uri.GetLeftPart(UriPartial.Path)}' must not have a query or fragment (not printed)");
            return null;
        }
        // A trailing slash makes relative paths ("v1/completions") resolve under the base path, not beside it.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private static IReadOnlyList<string> ValidateAdapters(List<string?>? raw, List<string> errors)
    {
        if (raw is null || raw.Count == 0)
        {
            return [];
        }

        var adapters = new List<string>();
        foreach (var adapter in raw)
        {
            if (string.IsNullOrWhiteSpace(adapter))
            {
                errors.Add("adapters must not contain empty names");
            }
            else if (adapters.Contains(adapter.Trim(), StringComparer.Ordinal))
            {
                errors.Add($"adapter '{adapter.Trim()}' is listed twice");
            }
            else
            {
                adapters.Add(adapter.Trim());
            }
        }
        return adapters;
    }

    private static TargetAuth ValidateAuth(AuthDocument? raw, List<string> errors)
    {
        if (raw is null)
        {
            return new TargetAuth();
        }

        var apiKeySetting = Blank(raw.ApiKeySetting);
        var entraScope = Blank(raw.EntraScope);
        if (apiKeySetting is not null && entraScope is not null)
        {
            errors.Add("auth: set either apiKeySetting or entraScope, not both");
        }

        if (apiKeySetting is not null && !TargetCatalog.LooksLikeSettingName(apiKeySetting))
        {
            errors.Add($"auth.apiKeySetting does not look like a setting name (it may be the key itself; it is not printed): " +
                       "name the app setting that holds the key (letters, digits, '_', '.', ':')");
        }

        return new TargetAuth { ApiKeySetting = apiKeySetting, EntraScope = entraScope, AzureMlDeployment = Blank(raw.AzureMlDeployment) };
    }

    private static TargetLimits ValidateLimits(LimitsDocument? raw, List<string> errors)
    {
        var limits = new TargetLimits();
        if (raw is null)
        {
            return limits;
        }

        if (raw.MaxConcurrency is { } concurrency)
        {
            if (concurrency is < MinConcurrency or > MaxConcurrency)
            {
                errors.Add($"limits.maxConcurrency {concurrency} must be between {MinConcurrency} and {MaxConcurrency}");
            }

            limits = limits with { MaxConcurrency = concurrency };
        }
        if (raw.MaxLoadedAdapters is { } loaded)
        {
            if (loaded is < 1 or > 1024)
            {
                errors.Add($"limits.maxLoadedAdapters {loaded} must be between 1 and 1024");
            }

            limits = limits with { MaxLoadedAdapters = loaded };
        }
        if (raw.MaxTokensPerRun is { } tokens)
        {
            if (tokens is < 1 or > MaxTokensPerRunCeiling)
            {
                errors.Add($"limits.maxTokensPerRun {tokens} must be between 1 and {MaxTokensPerRunCeiling}");
            }

            limits = limits with { MaxTokensPerRun = tokens };
        }
        if (raw.ReadyDeadline is { } deadline)
        {
            if (deadline <= TimeSpan.Zero || deadline > MaxReadyDeadline)
            {
                errors.Add($"limits.readyDeadline {deadline} must be positive and at most {MaxReadyDeadline}");
            }

            limits = limits with { ReadyDeadline = deadline };
        }
        if (raw.RequestTimeout is { } timeout)
        {
            if (timeout <= TimeSpan.Zero || timeout > MaxRequestTimeout)
            {
                errors.Add($"limits.requestTimeout {timeout} must be positive and at most {MaxRequestTimeout}");
            }

            limits = limits with { RequestTimeout = timeout };
        }
        if (raw.AbortFailedShare is { } share)
        {
            if (!(share > 0 && share <= 1))
            {
                errors.Add($"limits.abortFailedShare {share} must be above 0 and at most 1 (1 never aborts on failures)");
            }

            limits = limits with { AbortFailedShare = share };
        }
        if (raw.BusyMaxWait is { } busyWait)
        {
            if (busyWait < TimeSpan.Zero || busyWait > MaxReadyDeadline)
            {
                errors.Add($"limits.busyMaxWait {busyWait} must be between 0 and {MaxReadyDeadline}");
            }

            limits = limits with { BusyMaxWait = busyWait };
        }
        return limits;
    }

    // Shapes the server compiles: absent means the documented defaults; present means exactly these, so an empty or
    // repeated entry is a mistake worth naming rather than something to tidy away.
    private static IReadOnlyList<int>? ValidateShapes(List<int>? raw, string field, string what, int max, List<string> errors)
    {
        if (raw is null)
        {
            return null;
        }

        if (raw.Count == 0)
        {
            errors.Add($"{field} must list at least one of the server's {what}, or be left out for the defaults");
            return null;
        }
        if (raw.Any(v => v < 1 || v > max))
        {
            errors.Add($"{field} must hold {what} between 1 and {max}, got [{string.Join(", ", raw)}]");
        }
        else if (raw.Distinct().Count() != raw.Count)
        {
            errors.Add($"{field} lists a value twice: [{string.Join(", ", raw)}]");
        }

        return raw.Order().ToArray();
    }

    private static IReadOnlyList<EventMatchRule> ValidateRules(List<EventRuleDocument?>? raw, List<string> errors)
    {
        if (raw is null || raw.Count == 0)
        {
            return [];
        }

        var rules = new List<EventMatchRule>();
        for (var i = 0; i < raw.Count; i++)
        {
            var doc = raw[i];
            var where = $"eventRules[{i}]";
            if (doc is null)
            {
                errors.Add($"{where} is empty");
                continue;
            }
            var prefix = Blank(doc.ResourceIdPrefix);
            var pattern = Blank(doc.ResourceIdPattern);
            var repository = Blank(doc.Repository);
            var types = (doc.EventTypes ?? []).Select(Blank).ToList();
            if (types.Any(t => t is null))
            {
                errors.Add($"{where}.eventTypes must not contain empty names");
            }

            // A rule naming only event types would match every resource write in the subscription.
            if (prefix is null && pattern is null && repository is null)
            {
                errors.Add($"{where} must name a resourceIdPrefix, a resourceIdPattern or a repository");
            }

            if (prefix is not null && !prefix.StartsWith('/'))
            {
                errors.Add($"{where}.resourceIdPrefix '{prefix}' must be an ARM resource id starting with '/'");
            }

            if (pattern is not null)
            {
                try
                {
                    _ = new Regex(pattern, EventRuleRegex.Options, EventRuleRegex.Timeout);
                }
                catch (ArgumentException ex)
                {
                    errors.Add($"{where}.resourceIdPattern is not a valid regular expression: {ex.Message}");
                }
            }

            rules.Add(new EventMatchRule
            {
                EventTypes = types.OfType<string>().ToArray(),
                ResourceIdPrefix = prefix,
                ResourceIdPattern = pattern,
                Repository = repository,
                WarmBeforeTraffic = doc.WarmBeforeTraffic ?? false,
            });
        }
        return rules;
    }

    /// <summary>
    /// A URL that failed to parse, for an error message: without query, fragment and user-info, which may hold secrets.
    /// String-based because the text is not a valid URI.
    /// </summary>
    private static string WithoutSecrets(string raw)
    {
        var end = raw.IndexOfAny(['?', '#']);
        var text = end < 0 ? raw : raw[..end];
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var authorityStart = scheme < 0 ? 0 : scheme + 3;
        var authorityEnd = text.IndexOf('/', authorityStart) is var slash and >= 0 ? slash : text.Length;
        var at = text.AsSpan(authorityStart, authorityEnd - authorityStart).LastIndexOf('@');
        return at < 0 ? text : text[..authorityStart] + text[(authorityStart + at + 1)..];
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>How <see cref="EventMatchRule.ResourceIdPattern"/> is compiled everywhere: ARM ids are case-insensitive; a timeout bounds bad patterns.</summary>
public static class EventRuleRegex
{
    public const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);
}
