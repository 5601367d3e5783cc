using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Default when a host registers no authenticator: sends requests without credentials and refuses, with a clear
/// error, targets whose configuration asks for some (sending them unauthenticated would only produce 401s).
/// </summary>
public sealed class NoCredentialsAuthenticator : IRequestAuthenticator
{
    public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (target.Auth.ApiKeySetting is not null || target.Auth.EntraScope is not null)
        {
            throw new InvalidOperationException(
                $"target '{target.Name}' needs credentials (auth is configured) but this host registered no IRequestAuthenticator");
        }

        return ValueTask.CompletedTask;
    }
}
