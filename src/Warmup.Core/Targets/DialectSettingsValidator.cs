using System.Text.Json;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.Wire;

namespace Warmup.Core.Targets;

/// <summary>Checks the settings only some dialects use: metricsUrl, requestTemplate, azureMl and Azure ML credentials.</summary>
internal static class DialectSettingsValidator
{
    /// <summary>The audience of Azure ML data-plane tokens (control-plane management.azure.com tokens are refused).</summary>
    public const string AzureMlScope = "https://ml.azure.com/.default";

    public static (Uri? MetricsUrl, string? RequestTemplate, AzureMlSettings AzureMl) Validate(
        TargetDocument doc, string dialect, string api, TargetAuth auth, List<string> errors)
    {
        var metricsUrl = ValidateMetricsUrl(doc.MetricsUrl, errors);
        var template = ValidateTemplate(doc.RequestTemplate, dialect, api, errors);
        var azureMl = new AzureMlSettings();
        if (dialect == DialectNames.AzureMl)
        {
            azureMl = ValidateAzureMl(doc.AzureMl, errors);
            if (auth.ApiKeySetting is null && auth.EntraScope is null)
            {
                errors.Add($"the azureml dialect needs credentials: auth.apiKeySetting (the endpoint key, e.g. from Key Vault) or auth.entraScope '{AzureMlScope}'");
            }

            if (auth.EntraScope is { } scope && !string.Equals(scope, AzureMlScope, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"auth.entraScope '{scope}' is not the Azure ML scoring audience; use '{AzureMlScope}'");
            }
        }
        else if (doc.AzureMl is not null)
        {
            errors.Add("azureMl settings apply to the azureml dialect only");
        }

        return (metricsUrl, template, azureMl);
    }

    private static Uri? ValidateMetricsUrl(string? raw, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (!Uri.TryCreate(raw.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query))
        {
            errors.Add("metricsUrl must be an absolute http(s) URL without credentials or query (e.g. http://triton:8002/metrics)");
            return null;
        }
        return uri;
    }

    private static string? ValidateTemplate(JsonElement? raw, string dialect, string api, List<string> errors)
    {
        var template = raw switch
        {
            null => null,
            { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { } other => other.GetRawText(),
        };
        var usesTemplate = dialect == DialectNames.Triton || (dialect == DialectNames.AzureMl && api == Targets.OpenAiApis.Template);
        if (template is null)
        {
            if (dialect == DialectNames.AzureMl && api == Targets.OpenAiApis.Template)
            {
                errors.Add("api 'template' needs a requestTemplate (a JSON body with \"{{prompt}}\" and \"{{max_tokens}}\")");
            }

            return null;
        }
        if (!usesTemplate)
        {
            errors.Add($"requestTemplate is used by the triton dialect and by azureml with api 'template' only, not by {dialect} with api '{api}'");
            return null;
        }
        if (PayloadTemplate.Validate(template) is { } problem)
        {
            errors.Add($"requestTemplate {problem}");
            return null;
        }
        return template;
    }

    private static AzureMlSettings ValidateAzureMl(AzureMlDocument? raw, List<string> errors)
    {
        if (raw is null)
        {
            return new AzureMlSettings();
        }

        if (raw.MaxConcurrentRequestsPerInstance is < 1 or > 1000)
        {
            errors.Add($"azureMl.maxConcurrentRequestsPerInstance {raw.MaxConcurrentRequestsPerInstance} must be between 1 and 1000");
        }

        if (raw.InstanceCount is < 1 or > 1000)
        {
            errors.Add($"azureMl.instanceCount {raw.InstanceCount} must be between 1 and 1000");
        }

        if (raw.RequestTimeoutMs is < 1 or > 180_000)
        {
            errors.Add($"azureMl.requestTimeoutMs {raw.RequestTimeoutMs} must be between 1 and 180000 (Azure ML's maximum)");
        }

        return new AzureMlSettings
        {
            MaxConcurrentRequestsPerInstance = raw.MaxConcurrentRequestsPerInstance,
            InstanceCount = raw.InstanceCount,
            RequestTimeoutMs = raw.RequestTimeoutMs,
        };
    }
}
