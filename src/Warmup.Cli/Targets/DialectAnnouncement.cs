using Spectre.Console;
using Warmup.Core.Dialects;
using Warmup.Core.Dialects.Auto;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Cli.Targets;

/// <summary>
/// `--dialect auto`: asks the server once what it is and says so before the run. A server that answers without saying
/// is refused here (bad input); one that does not answer yet is left to the run, which keeps detecting while it waits.
/// </summary>
internal static class DialectAnnouncement
{
    public static async Task DescribeAsync(IAnsiConsole console, WarmupTarget target, ITargetCatalog catalog, CancellationToken cancellationToken)
    {
        if (!DialectNames.IsAuto(target.Dialect))
        {
            return;
        }

        using var http = WarmupHttp.CreateClient(new TargetAuthenticatingHandler(catalog, new EnvironmentApiKeyAuthenticator())
        {
            InnerHandler = WarmupHttp.CreateHandler(),
        });
        var seen = await DialectDetector.DetectOnceAsync(http, target.BaseUrl, cancellationToken);
        if (seen.Server is { } server)
        {
            // Remember it where the embedded engine looks, so the run speaks what was announced.
            await DialectRegistry.Default.DetectAsync(target, http, TimeSpan.FromSeconds(30), TimeProvider.System, cancellationToken);
            console.MarkupLine($"Dialect auto: the server is {Markup.Escape(server.Describe())}; speaking [bold]{Markup.Escape(server.Dialect)}[/].");
            return;
        }

        if (seen.Answered)
        {
            throw new UsageException(
                $"--dialect auto cannot tell which server {target.BaseUrl} is ({seen.Seen}); name it with --dialect " +
                $"({string.Join(" | ", DialectRegistry.Default.Names.Where(n => n != DialectNames.Auto))})");
        }

        console.MarkupLine("Dialect auto: nothing answers yet; the server is identified once it listens.");
    }
}
