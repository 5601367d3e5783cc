using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Warmup.Functions.Configuration;

/// <summary>
/// Reports the configuration problems at start, one line each, where a host shows them. The Functions host drops a
/// worker's ILogger lines that belong to no invocation ("Ignoring RpcLog from invocation ''"), and start-up belongs to
/// none; it does log the worker process's own console output. So each problem goes to stderr as well as to the
/// logger (which reaches Application Insights when it is configured).
/// </summary>
public sealed partial class StartupReport : IHostedService
{
    public const string ProblemPrefix = "Warmup configuration problem: ";

    private readonly StartupValidation _validation;
    private readonly ILogger<StartupReport> _logger;
    private readonly TextWriter _console;

    public StartupReport(StartupValidation validation, ILogger<StartupReport> logger)
        : this(validation, logger, Console.Error)
    {
    }

    internal StartupReport(StartupValidation validation, ILogger<StartupReport> logger, TextWriter console)
    {
        _validation = validation;
        _logger = logger;
        _console = console;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var problem in _validation.Problems)
        {
            LogProblem(_logger, problem);
            _console.WriteLine(ProblemPrefix + problem);
        }
        LogTargets(_logger, _validation.TargetNames.Count, string.Join(", ", _validation.TargetNames));
        _console.WriteLine($"Warmup loaded {_validation.TargetNames.Count} target(s): {string.Join(", ", _validation.TargetNames)}");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Configuration problem: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Warmup loaded {Count} target(s): {Targets}")]
    private static partial void LogTargets(ILogger logger, int count, string targets);
}
