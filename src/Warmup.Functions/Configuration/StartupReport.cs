using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Warmup.Functions.Configuration;

/// <summary>Logs the configuration problems at start, one line each, so they show up in the first minute of the app's logs.</summary>
public sealed partial class StartupReport(StartupValidation validation, ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (string problem in validation.Problems)
            LogProblem(logger, problem);
        LogTargets(logger, validation.TargetNames.Count, string.Join(", ", validation.TargetNames));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Configuration problem: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Warmup loaded {Count} target(s): {Targets}")]
    private static partial void LogTargets(ILogger logger, int count, string targets);
}
