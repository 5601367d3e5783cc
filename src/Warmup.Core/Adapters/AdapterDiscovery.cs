using System.Text.Json;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Core.Adapters;

/// <summary>
/// The LoRA adapters a server lists in <c>GET /v1/models</c>: vLLM lists each loaded adapter as a model whose
/// <c>parent</c> is the base model (protocols.md §2). Users can call them by name, so they are warmed and verified
/// without being configured. Only the OpenAI-compatible dialects address an adapter by its model name.
/// </summary>
public static class AdapterDiscovery
{
    public static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(10);

    public static bool Applies(WarmupTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Dialect is DialectNames.OpenAi or DialectNames.Auto;
    }

    /// <summary>Adapter ids whose parent is the target's model, in the server's order; empty when it lists none or cannot be read.</summary>
    public static async Task<IReadOnlyList<string>> DiscoverAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Applies(target))
        {
            return [];
        }

        // A model list is small: a server that cannot answer in this time is planned with the configured adapters only.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ListTimeout);
        var models = await OperationalHttp.TryGetAsync(http, EndpointUri.Combine(target.BaseUrl, "v1/models"), timeout.Token).ConfigureAwait(false);
        return models is { Status: 200 } ok ? Read(ok.Body, target.Model) : [];
    }

    /// <summary>Entries of a /v1/models body whose parent is <paramref name="model"/>; a body that is not a model list gives none.</summary>
    public static IReadOnlyList<string> Read(ReadOnlySpan<byte> json, string model)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            return data.EnumerateArray()
                .Where(m => m.ValueKind == JsonValueKind.Object
                            && m.TryGetProperty("parent", out var parent) && parent.ValueKind == JsonValueKind.String
                            && string.Equals(parent.GetString(), model, StringComparison.Ordinal)
                            && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                .Select(m => m.GetProperty("id").GetString()!)
                .Where(id => !string.Equals(id, model, StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal)
                .ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
