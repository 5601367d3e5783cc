using System.Net.Http.Headers;
using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// Sends <c>Authorization: Bearer &lt;key&gt;</c> with the key read from the variable named by
/// <see cref="TargetAuth.ApiKeySetting"/>. Targets without that setting go out unauthenticated.
/// </summary>
/// <param name="readVariable">Reads a variable by name; defaults to the process environment. Injectable for tests and hosts.</param>
public sealed class EnvironmentApiKeyAuthenticator(Func<string, string?>? readVariable = null) : IRequestAuthenticator
{
    private readonly Func<string, string?> _readVariable = readVariable ?? Environment.GetEnvironmentVariable;

    public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        var variable = target.Auth.ApiKeySetting;
        if (string.IsNullOrWhiteSpace(variable))
        {
            return ValueTask.CompletedTask;
        }

        var key = _readVariable(variable);
        if (string.IsNullOrWhiteSpace(key))
        {
            // Names the variable, never a value.
            throw new CredentialsUnavailableException(
                $"Target '{target.Name}' needs an API key in the environment variable '{variable}', but it is not set or empty.");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        return ValueTask.CompletedTask;
    }
}
