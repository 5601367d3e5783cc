using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Warmup.Core.Targets;

namespace Warmup.Functions.Auth;

/// <summary>
/// Credentials for requests to a target in the Functions app: an API key from the app setting the target names (in Azure
/// a Key Vault reference resolves into it), or an Entra ID bearer token for the target's scope from the managed identity.
/// Tokens are cached per scope until shortly before they expire. Secrets are never logged.
/// </summary>
public sealed class AppSettingsAuthenticator(IConfiguration configuration, TokenCredential credential, TimeProvider time) : IRequestAuthenticator
{
    /// <summary>Azure ML online endpoints route to this deployment instead of splitting traffic.</summary>
    public const string AzureMlDeploymentHeader = "azureml-model-deployment";

    // Refresh this long before expiry so a token never expires in the middle of a streamed request.
    internal static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, AccessToken> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refresh = new(1, 1);

    public async ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);

        if (target.Auth.ApiKeySetting is { } setting)
        {
            var key = configuration[setting];
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new CredentialsUnavailableException($"target '{target.Name}': {TargetAuth.DescribeApiKeySetting(setting)} is not set");
            }
            // App Service leaves a Key Vault reference it cannot resolve as its literal text; sending that as a key
            // would only earn a 401 from the endpoint, so say what is wrong instead.
            if (key.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            {
                throw new CredentialsUnavailableException(
                    $"target '{target.Name}': app setting '{setting}' is a Key Vault reference the platform could not resolve " +
                    "(does the secret exist, and does the app's identity have Key Vault Secrets User on the vault?)");
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        }
        else if (target.Auth.EntraScope is { } scope)
        {
            var token = await GetTokenAsync(scope, cancellationToken);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        }

        if (target.Auth.AzureMlDeployment is { } deployment)
        {
            request.Headers.Remove(AzureMlDeploymentHeader);
            request.Headers.TryAddWithoutValidation(AzureMlDeploymentHeader, deployment);
        }
    }

    private async ValueTask<AccessToken> GetTokenAsync(string scope, CancellationToken cancellationToken)
    {
        if (_tokens.TryGetValue(scope, out var cached) && IsFresh(cached))
        {
            return cached;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_tokens.TryGetValue(scope, out cached) && IsFresh(cached))
            {
                return cached;
            }

            var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
            _tokens[scope] = token;
            return token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private bool IsFresh(AccessToken token) => token.ExpiresOn - RefreshMargin > time.GetUtcNow();
}
