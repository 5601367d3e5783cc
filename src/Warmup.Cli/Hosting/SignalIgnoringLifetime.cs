using Microsoft.Extensions.Hosting;

namespace Warmup.Cli.Hosting;

/// <summary>
/// The embedded engine's host lifetime. Its default (console) lifetime stops the engine on Ctrl-C or SIGTERM, which
/// would leave a cancelled run unable to record its partial report. The CLI owns those signals (<see cref="StopSignal"/>)
/// and stops the engine itself once the run has ended.
/// </summary>
internal sealed class SignalIgnoringLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
