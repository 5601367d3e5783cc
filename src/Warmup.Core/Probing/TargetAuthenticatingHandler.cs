using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// Authenticates the side requests a dialect makes on its own (/v1/models, /tokenize, /metrics): vLLM guards /v1/*
/// and llama.cpp most routes with the same key as generation. A request already carrying credentials (the probe and
/// the readiness gate authenticate explicitly) is left alone, and a URL that belongs to no configured target gets
/// nothing: keys only ever go to the target they belong to.
/// </summary>
public sealed class TargetAuthenticatingHandler(ITargetCatalog catalog, IRequestAuthenticator authenticator) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && request.RequestUri is { } uri && FindTarget(uri) is { } target)
        {
            await authenticator.AuthenticateAsync(target, request, cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    private WarmupTarget? FindTarget(Uri uri) =>
        catalog.Targets
            .Where(t => Under(t.BaseUrl, uri))
            .MaxBy(t => t.BaseUrl.AbsolutePath.Length)
        // A metrics URL on its own port (Triton's 8002) is configured too, so it gets the target's credentials.
        ?? catalog.Targets.FirstOrDefault(t => t.MetricsUrl is { } metrics && Under(metrics, uri));

    private static bool Under(Uri root, Uri uri) =>
        Uri.Compare(root, uri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        && uri.AbsolutePath.StartsWith(root.AbsolutePath, StringComparison.Ordinal);
}
