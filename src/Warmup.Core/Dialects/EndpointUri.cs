namespace Warmup.Core.Dialects;

/// <summary>Builds endpoint URLs under a target's base URL, keeping any path prefix the base has (e.g. a gateway route).</summary>
public static class EndpointUri
{
    public static Uri Combine(Uri baseUrl, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        return new Uri(root, relativePath.TrimStart('/'));
    }
}
