using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Prompts;
using Warmup.Core.Readiness;
using Warmup.Core.Targets;

namespace Warmup.Cli.Demo;

/// <summary>
/// One request shaped like a real user's first request (fresh salted prompt, streamed), measured with the same
/// probe the warm-up uses. The demo sends it before and after the warm-up.
/// </summary>
internal sealed class FirstUserRequest(HttpClient http)
{
    public const int PromptTokens = 768;
    public const int OutputTokens = 64;

    public async Task<ReadinessResult> WaitUntilReadyAsync(WarmupTarget target, CancellationToken cancellationToken)
    {
        var gate = new ReadinessGate(http, NoAuthentication.Instance, TimeProvider.System);
        return await gate.WaitAsync(target, DialectRegistry.Default.Get(target.Dialect), target.Limits.ReadyDeadline, cancellationToken);
    }

    public Task<ProbeResult> SendAsync(WarmupTarget target, string salt, CancellationToken cancellationToken) =>
        SendAsync(target, PromptTokens, salt, cancellationToken);

    public async Task<ProbeResult> SendAsync(WarmupTarget target, int promptTokens, string salt, CancellationToken cancellationToken)
    {
        var dialect = DialectRegistry.Default.Get(target.Dialect);
        var request = await new PromptFactory(http).CreateAsync(target, dialect, promptTokens, OutputTokens, salt, adapter: null, cancellationToken);
        return await new StreamingProbe(http, NoAuthentication.Instance).SendAsync(target, dialect, request, $"demo-{salt}", cancellationToken);
    }
}
