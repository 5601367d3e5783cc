namespace Warmup.Core.Targets;

/// <summary>
/// Adds credentials to an outgoing request for a target. Implemented per host: the Functions app reads
/// app settings (Key Vault references) and the managed identity, the CLI reads environment variables.
/// </summary>
public interface IRequestAuthenticator
{
    ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken);
}
