using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Sends prepared requests so that they start together: every prompt is built before the first request leaves
/// (tokenizer round trips would otherwise stagger them), then one gate releases them all, so the server sees the
/// whole batch at once.
/// </summary>
internal static class SimultaneousRelease
{
    public static async Task<ProbeResult[]> SendAsync(
        StreamingProbe probe,
        WarmupTarget target,
        IDialect dialect,
        IReadOnlyList<GenerationRequest> requests,
        string correlationId,
        CancellationToken cancellationToken)
    {
        // The connections the burst needs are opened first: set-up cost would land on the first burst only.
        await probe.PrepareAsync(target, dialect, requests.Count, cancellationToken).ConfigureAwait(false);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = requests
            .Select(async request =>
            {
                await gate.Task.ConfigureAwait(false);
                return await probe.SendAsync(target, dialect, request, correlationId, cancellationToken).ConfigureAwait(false);
            })
            .ToArray();
        gate.SetResult();
        return await Task.WhenAll(inFlight).ConfigureAwait(false);
    }
}
