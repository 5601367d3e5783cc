using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// For targets that need no credentials (a local vLLM without --api-key, the simulator), and the default when a host
/// registers no authenticator. Refuses, with a clear error, a target whose configuration asks for credentials:
/// sending it requests without them would only produce 401s.
/// </summary>
public sealed class NoAuthentication : IRequestAuthenticator
{
    public static NoAuthentication Instance { get; } = new();

    public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (target.Auth.ApiKeySetting is not null || target.Auth.EntraScope is not null)
        {
            throw new CredentialsUnavailableException(
                $"target '{target.Name}' needs credentials (auth is configured) but this host registered no IRequestAuthenticator");
        }

        return ValueTask.CompletedTask;
    }
}
