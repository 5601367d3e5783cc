using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>For targets that need no credentials (a local vLLM without --api-key, the simulator).</summary>
public sealed class NoAuthentication : IRequestAuthenticator
{
    public static NoAuthentication Instance { get; } = new();

    public ValueTask AuthenticateAsync(WarmupTarget target, HttpRequestMessage request, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
